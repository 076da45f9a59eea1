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
    "org": """lead leads leader head heads run runs work works job do does doing organisation
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
        статус реестр реестре преследование преследуют""",
    "born": """born birth birthday age old
        родился родилась рождения возраст""",
    "who": "who whom кто кем",
}
_LIST_CUES = """who which list people persons members everyone anyone all names
    кто кого список люди члены все всех имена"""
# Words that tie a list question to what it filters on.
_RELATIONS: dict[str, str] = {
    "place": """live lives living based reside resides located moved in
        живет живут живущие проживает проживают находится находятся переехал переехали в""",
    "org": """work works working member members staff team lead leads run involved part belong
        belongs joined join in at
        работает работают работал член члены входит входят входил вошел вошли состоит состоят
        состоял состояли руководит руководят ведет был была были в""",
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
