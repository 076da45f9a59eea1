"""Small word lists the matcher needs beyond the knowledge base itself.

First names with their short forms (so "Лев Яшин" is not taken for Ilya Yashin), other names of
countries (so "who lives in the US" finds people based in the United States), and the words that
ask for each kind of Russian state designation in a list question.
"""

from __future__ import annotations

from functools import lru_cache

from bot.matching.text import script, skeleton, stem

# One group per name: full forms and common short forms, in Latin and Cyrillic.
_FIRST_NAME_GROUPS = """
alexander aleksandr alexandr sasha sanya shura александр саша саня шура
alexandra aleksandra sasha sashа александра саша
alexei alexey aleksei aleksey alexej lyosha lesha алексей леша лёша алеша
anatoly anatoli анатолий толя
andrei andrey andrej andryusha андрей андрюша
anna anya анна аня
anton антон
arkady аркадий
boris borya борис боря
dmitry dmitri dmitriy dima дмитрий дима
ekaterina yekaterina katya katerina екатерина катя
elena yelena helena lena елена лена
evgenia yevgenia evgeniya yevgeniya zhenya евгения женя
evgeny yevgeny evgeni yevgeni evgenii evgueni zhenya евгений женя
gennady gennadi gennadiy gena геннадий гена
garry gary garik гарри гарик
georgy georgi georgiy george георгий жора
grigory grigori grisha григорий гриша
igor игорь
ilya ilja ilia ilyusha илья илюша
irina ira ирина ира
ivan vanya иван ваня
kirill кирилл
konstantin kostya константин костя
lev leo лев
leonid lyonya леонид лёня леня
lyubov lubov lyuba любовь люба
marina марина
maria mariya masha мария маша
maxim maksim max максим макс
mikhail misha michail михаил миша
nadezhda nadya надежда надя
natalia natalya natasha наталья наталия наташа
nikolai nikolay kolya николай коля
oleg олег
olga olya ольга оля
pavel pasha павел паша
roman roma роман рома
sergei sergey serguei seryozha сергей серёжа сережа
svetlana sveta светлана света
tatiana tatyana tanya татьяна таня
vadim вадим
valery valeri валерий
viktor victor витя виктор
vladimir volodya vova владимир володя вова
vladislav vlad владислав влад
vyacheslav slava вячеслав слава
yulia yuliya julia юлия юля
yury yuri yuriy юрий юра
"""


def _groups() -> dict[str, frozenset[int]]:
    out: dict[str, set[int]] = {}
    for number, line in enumerate(_FIRST_NAME_GROUPS.strip().splitlines()):
        for name in line.split():
            out.setdefault(skeleton(name), set()).add(number)
            if script(name) == "ru":  # "Алексея" is found through its stem
                out.setdefault(skeleton(stem(name)), set()).add(number)
    return {key: frozenset(v) for key, v in out.items()}


_GROUPS = _groups()


@lru_cache(maxsize=4096)
def first_name_groups(word: str) -> frozenset[int]:
    """The first-name groups a normalised word may be (also in a Russian case: "Олега")."""
    if script(word) != "ru":
        return _GROUPS.get(skeleton(word), frozenset())
    # Russian case endings: "Алексея", "Олегу", "Юлией".
    for form in (word, stem(word), word[:-1], word[:-2], word[:-3]):
        if len(form) >= 3 and skeleton(form) in _GROUPS:
            return _GROUPS[skeleton(form)]
    return frozenset()


#: English country name (as written in knowledge files) -> other names people use for it.
COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "United States": ("US", "USA", "America", "the States", "США", "Штаты", "Америка", "Соединённые Штаты"),
    "United Kingdom": ("UK", "Britain", "Great Britain", "England", "Британия", "Англия", "Великобритания"),
    "Germany": ("Германия", "ФРГ", "Deutschland"),
    "Lithuania": ("Литва",),
    "Latvia": ("Латвия",),
    "Estonia": ("Эстония",),
    "Georgia": ("Грузия",),
    "Israel": ("Израиль",),
    "France": ("Франция",),
    "Netherlands": ("Holland", "the Netherlands", "Нидерланды", "Голландия"),
    "Switzerland": ("Швейцария",),
    "Czech Republic": ("Czechia", "Чехия"),
    "Poland": ("Польша",),
    "Ukraine": ("Украина",),
    "Bulgaria": ("Болгария",),
    "Spain": ("Испания",),
    "Italy": ("Италия",),
    "Canada": ("Канада",),
    "Serbia": ("Сербия",),
    "Armenia": ("Армения",),
    "Turkey": ("Türkiye", "Турция"),
    "Cyprus": ("Кипр",),
    "Finland": ("Финляндия",),
    "Montenegro": ("Черногория",),
}

#: Designation kind -> phrases that ask for it ("who is a foreign agent", "кого заочно осудили").
DESIGNATION_CUES: dict[str, tuple[str, ...]] = {
    "foreign_agent": ("foreign agent", "foreign agents", "иноагент", "иноагенты", "иностранный агент",
                      "иностранные агенты", "иноагентом"),
    "convicted_in_absentia": ("sentenced in absentia", "convicted in absentia", "заочно осужден",
                              "заочно приговорен", "заочный приговор", "заочно осудили", "заочно приговорили"),
    "arrested_in_absentia": ("arrested in absentia", "заочно арестован", "заочный арест", "заочно арестовали"),
    "wanted": ("wanted list", "wanted", "в розыске", "розыск", "объявлен в розыск", "объявили в розыск"),
    "terrorist_extremist_list": ("terrorists and extremists", "terrorist list", "extremist list",
                                 "rosfinmonitoring", "росфинмониторинг", "список террористов",
                                 "перечень террористов", "террористов и экстремистов", "extremist",
                                 "extremists", "terrorist", "terrorists", "экстремист", "экстремисты",
                                 "экстремистом", "экстремистами", "террорист", "террористы", "террористом",
                                 "террористами"),
    "undesirable": ("undesirable", "нежелательная", "нежелательной", "нежелательные"),
    "criminal_case": ("criminal case", "уголовное дело", "уголовные дела"),
}  # fmt: skip
