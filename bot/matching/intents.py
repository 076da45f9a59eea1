"""What a question asks: cue words in English and Russian, compared by stem."""

from __future__ import annotations

from bot.matching.text import stem, words

# Each intent is recognised by the stems of its cue words. Words are stemmed at import, so
# inflected forms ("живёт", "живут", "lives", "living") meet without listing each one.
_CUES: dict[str, str] = {
    "where": """where located based reside resides residence residing city country location home
        lives live living stay stays moved whereabouts
        где живет живут жить живущие проживает проживают находится находятся город городе страна
        стране местонахождение переехал переехала обосновался обосновалась""",
    "left": """leave left leaving flee fled emigrate emigrated emigration exile exiled escape
        escaped departure depart expelled deported forced
        уехал уехала уехали уезжал уезжала эмигрировал эмигрировала эмиграция эмиграции покинул
        покинула бежал бежала выехал выехала изгнание выслали выслан выслана вынужден вынуждена
        отъезд уезжать""",
    "org": """lead leads leader head heads run runs work works job do doing organisation
        organization organisations organizations role position founded founder founders chair
        member members director occupation career profession
        возглавляет возглавлял руководит руководитель работает работал занимается занимался
        организация организации должность основал основатель глава член члены директор
        деятельность профессия""",
    "designation": """foreign agent agents extremist extremists terrorist terrorists wanted
        sentenced sentence charged charges charge case cases designated designation undesirable
        convicted conviction court prison jail jailed arrested arrest absentia criminal banned
        list listed persecution persecuted prosecuted
        иноагент иноагентом иноагенты иностранный иностранным агент агентом экстремист
        экстремистом экстремистская террорист террористом террористов розыск розыске приговор
        приговорили приговорен приговорена заочно дело дела обвинение обвиняют обвинили суд
        нежелательный нежелательная нежелательной арест арестовали арестован срок уголовное
        статус реестр реестре преследование преследуют
        imprisoned imprisonment bars посадили посадить сидел сидела отсидел отсидела
        осудили осужден осуждена""",
    "born": """born birth birthday age old
        родился родилась рождения возраст""",
    "who": "who whom кто кем",
}
#: Words that make a question more than yes or no ("is X a foreign agent?"): what, why, who…
QUESTION_WORDS = frozenset(
    words("""what why how when where who whom whose which
    что чем чего почему зачем как когда где кто кого кому какой какая какое какие каким сколько""")
)
#: The intent a yes-or-no question about one kind of designation adds ("designation:wanted"), so
#: that the card can say when there is none of that kind.
KIND_ASKED = "designation:"

#: Words that ask where someone works: with "where" they ask for a post, not a home.
WORK_WORDS = frozenset(words("work works working job employed работает работала работают трудится"))
_LIST_CUES = """who which list people persons members everyone anyone all names
    кто кого список люди члены все всех имена"""
# Words that tie a list question to what it filters on.
_RELATIONS: dict[str, str] = {
    "place": """live lives living based reside resides located moved in
        живет живут живущие проживает проживают находится находятся переехал переехали в""",
    # Not "runs", «руководит»: who leads an organisation asks for its leader (a tie), not a list.
    "org": """work works working member members staff team involved part belong
        belongs joined join in at
        работает работают работал член члены входит входят входил вошел вошли состоит состоят
        состоял состояли был была были в""",
    "event": """freed released exchanged swapped swap exchange signed sign signatories
        participants participated took part attended involved
        освободили освобождены освобожден освобождена обменяли обменян вышел вышли подписал
        подписали подписант подписанты участвовал участвовали участники""",
}


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(text))


INTENT_STEMS: dict[str, frozenset[str]] = {name: _stems(cues) for name, cues in _CUES.items()}
LIST_STEMS = _stems(_LIST_CUES)
RELATION_STEMS: dict[str, frozenset[str]] = {name: _stems(c) for name, c in _RELATIONS.items()}
#: Stems that carry what a question asks rather than what it is about.
CUE_STEMS: frozenset[str] = frozenset().union(*INTENT_STEMS.values(), LIST_STEMS)


def intents(stems: set[str] | frozenset[str]) -> frozenset[str]:
    """The intents whose cue stems occur among the question's stems."""
    return frozenset(name for name, cues in INTENT_STEMS.items() if stems & cues)


# --- who the question is about, when it names someone else --------------------------------------

# A word naming a tie: "Navalny's widow", "жена Кара-Мурзы", "who runs FBK", "the forum Kasparov
# founded". Kinds are those of the knowledge model: family ties (`Relative.relation`), leading
# posts (`Post.post`, all as "leader") and founding.
_TIES: dict[str, str] = {
    "spouse": """wife husband spouse widow widower married mrs missus hubby
        жена муж супруга супруг вдова вдовец женат замужем""",
    "child": """son daughter child children kid kids
        сын дочь дочка дети ребенок сына дочери""",
    "parent": """father mother dad mom mum parent parents
        отец мать папа мама отца матери родители""",
    "sibling": "brother sister брат сестра",
    "leader": """head heads leader leads lead runs run running chief boss director chair chairman
        chairwoman chairperson president editor editorial charge manages manager
        глава главный главная главред руководитель руководит руководила руководил возглавляет
        возглавляла возглавлял возглавил возглавила директор председатель председательница
        президент редактор начальник шеф рулит управляет""",
    "founder": """founder founders founded found set started created creator co-founder cofounder
        established launched
        основатель основательница основал основала основали создал создала создали создатель
        учредил учредила учредитель запустил запустила""",
}
#: Words that ask who held a post before someone, or before now; and who took it over.
_BEFORE = """before previous previously former ex predecessor until preceded old
    до прежний прежде бывший бывшая раньше предшественник предшественница"""
_AFTER = """replaced replace succeeded succeed successor after took over next
    сменил сменила сменил заменил заменила преемник преемница после вместо"""
_MASCULINE_VERBS = """уехал родился жил живущий арестован осуждён осужден приговорён приговорен освобождён
    освобожден задержан покинул эмигрировал сбежал"""
#: Words that say the person asked about is a woman, or a man.
_GENDER: dict[str, str] = {
    "female": """woman women female she her lady girl mrs ms wife widow daughter mother sister
        женщина она ее её девушка жена вдова дочь мать сестра которая бывшая
        уехала родилась жила живущая арестована осуждена приговорена освобождена задержана
        покинула эмигрировала сбежала""",
    "male": """man men male he him his guy mr husband widower son father brother
        мужчина он его парень мужик муж вдовец сын отец брат который бывший
        """
    + _MASCULINE_VERBS,
}
#: «кто уехал»: after «кто» a verb agrees in the masculine whoever is meant.
GENERIC_SUBJECT = "кто"
MASCULINE_VERBS = frozenset(_MASCULINE_VERBS.split())
TIE_STEMS: dict[str, frozenset[str]] = {kind: _stems(cues) for kind, cues in _TIES.items()}
# Words that name which leading post is meant (`Post.post`).
_POSTS: dict[str, str] = {
    "board_chair": "board chair chairman chairwoman chairs chaired правление председатель председательница наблюдательный",
    "management_board_chair": "board chair chairman chairwoman chairs chaired правление председатель председательница",
    "chair": "chair chairman chairwoman председатель",
    "co_chair": "co-chair cochair сопредседатель",
    "director": "director директор",
    "executive_director": "executive director исполнительный директор",
    "president": "president президент",
    "editor_in_chief": "editor editor-in-chief главред главный редактор",
}
POST_STEMS: dict[str, frozenset[str]] = {post: _stems(cues) for post, cues in _POSTS.items()}


def posts(stems: set[str] | frozenset[str]) -> frozenset[str]:
    """The leading posts a question's words name ("board chair", "главред")."""
    return frozenset(post for post, cues in POST_STEMS.items() if stems & cues)


BEFORE_STEMS = _stems(_BEFORE)
AFTER_STEMS = _stems(_AFTER)
GENDER_WORDS: dict[str, frozenset[str]] = {g: frozenset(words(c)) for g, c in _GENDER.items()}


def ties(stems: set[str] | frozenset[str]) -> frozenset[str]:
    """The kinds of tie a question's words name."""
    return frozenset(kind for kind, cues in TIE_STEMS.items() if stems & cues)


# --- small talk ---------------------------------------------------------------------------------

_SMALL_TALK: dict[str, str] = {
    "greeting": """hi hello hey hiya yo howdy greetings morning evening sup
        привет приветик здравствуйте здравствуй здорово здрасте хай добрый доброе утро день вечер""",
    "thanks": """thanks thank thx ty cheers appreciated great cool nice ok okay good awesome perfect
        спасибо спс благодарю пасиб спасибки отлично класс понятно ясно ок окей хорошо супер круто""",
    "bye": "bye goodbye later пока досвидания свидания",
    "how_are_you": "doing going дела поживаешь поживаете жизнь",
    "about_bot": """who are you made make created built what can do help yourself bot robot
        кто ты тебя сделал создал создали умеешь можешь помощь бот робот сам""",
}
SMALL_TALK_WORDS: dict[str, frozenset[str]] = {k: frozenset(words(v)) for k, v in _SMALL_TALK.items()}
_FILLER = frozenset(
    words("""you your are is the a an me my i do what how there u r can how's whats man bro dude mate
    guys buddy so much very lot ты тебя тебе вы вас а и ну как что мне это же дела очень большое""")
)


def small_talk(ws: list[str]) -> str | None:
    """The kind of small talk a message is, if it is nothing else ("hi", "спасибо!", "как дела?",
    "who made you")."""
    if not ws or len(ws) > 6:
        return None
    kinds = [k for k, vocab in SMALL_TALK_WORDS.items() if any(w in vocab for w in ws)]
    if {"how", "are", "you"} <= set(ws) or {"how", "r", "u"} <= set(ws):  # filler words only
        kinds.append("how_are_you")
    if not kinds or not all(any(w in v for v in SMALL_TALK_WORDS.values()) or w in _FILLER for w in ws):
        return None
    if "how_are_you" in kinds:
        return "how_are_you"
    return "about_bot" if "about_bot" in kinds and len(ws) > 1 else kinds[0]


# --- what sort of entry is meant ------------------------------------------------------------------

_TYPE_CUES: dict[str, str] = {
    "organisation": """organisation organization org group foundation fund nonprofit ngo charity party
        movement committee council coalition newspaper paper outlet media channel tv station website
        site magazine publication forum university union platform initiative project congress parliament
        network
        организация фонд партия движение комитет совет коалиция газета издание сми канал
        телеканал сайт журнал форум университет союз платформа проект объединение съезд парламент""",
    "person": """person man woman guy lady who someone politician journalist economist writer activist
        lawyer chess player businessman philosopher scientist columnist translator investigator editor
        author historian poet musician artist blogger youtuber deputy mp oligarch aide adviser advisor
        officer champion dissident
        человек мужчина женщина политик журналист экономист писатель
        активист юрист шахматист бизнесмен оппозиционер философ политолог колумнист переводчик
        расследователь редактор главред автор историк поэт музыкант художник блогер ютубер депутат
        олигарх соратник советник офицер чемпион диссидент журналистка юристка активистка писательница
        политологиня экономистка переводчица""",
    "event": """event law bill list register exchange swap poisoning death declaration conference
        событие закон список реестр обмен отравление смерть декларация""",
}
TYPE_STEMS: dict[str, frozenset[str]] = {kind: _stems(cues) for kind, cues in _TYPE_CUES.items()}
WHO_STEMS = _stems("who whom кто кого кому кем")

# --- one entry or many ----------------------------------------------------------------------------

# Words that describe one person or thing ("the economist who…", «та, которая…») and words that
# ask for several ("which of them", «кто из»). Compared as whole words: stems would merge «который»
# with «которые».
_ONE = words("""the a an she he her him his one is was that that's whos
    который которая которого которой которому которую которым котором такой такая тот та этот эта""")
_MANY = words("""them they people those all everyone list names are were ones
    которые которых которым которыми все всех люди список кто-нибудь из""")
ONE_WORDS, MANY_WORDS = frozenset(_ONE), frozenset(_MANY)


def number(ws: list[str]) -> str | None:
    """'one' when the words describe a single entry, 'many' when they ask for several, else None."""
    one, many = bool(ONE_WORDS.intersection(ws)), bool(MANY_WORDS.intersection(ws))
    if one == many:
        return None
    return "one" if one else "many"
