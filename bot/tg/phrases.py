"""What the bot says in its own voice (not answers): greetings, help, about, notices. en + ru.

Every text is HTML-safe as written; values passed in are escaped by the caller (`say`).
"""

from __future__ import annotations

import html

LANGS = ("en", "ru")

#: Example questions shown by /start; tests check that each one gets an answer.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "en": (
        "Where does Kasparov live?",
        "Why did Khodorkovsky leave Russia?",
        "Who is Maria Pevchikh?",
        "Is Yashin a foreign agent?",
    ),
    "ru": (
        "Где живёт Каспаров?",
        "Почему Ходорковский уехал из России?",
        "Кто такая Мария Певчих?",
        "Яшин иноагент?",
    ),
}

_TEXTS: dict[str, dict[str, str]] = {
    "start": {
        "en": (
            "Hello, {name}! I answer questions about Russian opposition figures in exile: who "
            "they are, where they live now, when and why they left, what they do. Every answer "
            "comes from a curated knowledge base and links its sources.\n\n"
            "Try asking:\n{examples}\n\n"
            "/help: how to ask · /about: what I cover and what I log"
        ),
        "ru": (
            "Здравствуйте, {name}! Я отвечаю на вопросы о российских оппозиционерах в эмиграции: "
            "кто они, где живут сейчас, когда и почему уехали, чем занимаются. Каждый ответ взят "
            "из проверенной базы знаний и ссылается на источники.\n\n"
            "Попробуйте спросить:\n{examples}\n\n"
            "/help — как спрашивать · /about — о чём я знаю и что записываю"
        ),
    },
    "help": {
        "en": (
            "<b>How to ask</b>\n"
            "Write a question in plain words, in English or Russian; typos are fine. "
            "If I am not sure what you mean, I offer buttons to choose from.\n\n"
            "<b>In a group</b>: /ask followed by the question, reply to one of my messages, "
            "or mention @{username}.\n"
            "<b>In any chat</b>: type @{username} and a question, then pick an answer to send.\n\n"
            "/start: examples\n/about: what I cover, sources, what I log\n"
            "/lang en or /lang ru: the language I answer in\n/ask: ask in a group"
        ),
        "ru": (
            "<b>Как спрашивать</b>\n"
            "Напишите вопрос обычными словами, по-русски или по-английски; опечатки не страшны. "
            "Если я не уверен, что вы имеете в виду, предложу варианты кнопками.\n\n"
            "<b>В группе</b>: /ask и вопрос, ответ на моё сообщение или упоминание "
            "@{username}.\n"
            "<b>В любом чате</b>: наберите @{username} и вопрос, затем выберите ответ.\n\n"
            "/start — примеры\n/about — о чём я знаю, источники, что записываю\n"
            "/lang ru или /lang en — язык ответов\n/ask — вопрос в группе"
        ),
    },
    "about": {
        "en": (
            "<b>What I cover</b>\n"
            "Russian opposition figures in exile, their organisations and the events around "
            "them: {people} people, {organisations} organisations, {events} events and laws, "
            "{faq} frequent questions.\n\n"
            "<b>Sources and “as of”</b>\n"
            "Answers are written in our own words from public sources, which are linked under "
            "each answer. “As of” is the date the facts were last checked; things change, so "
            "follow the sources for news.\n\n"
            "<b>What is logged</b>\n"
            "For each question: its text, the answer given, the language, the kind of chat and "
            "the time. Who asked is kept only as a keyed hash, never your Telegram id or name. "
            "Log entries are deleted after {days} days; they show which questions I cannot "
            "answer yet."
        ),
        "ru": (
            "<b>О чём я знаю</b>\n"
            "О российских оппозиционерах в эмиграции, их организациях и связанных событиях: "
            "людей — {people}, организаций — {organisations}, событий и законов — {events}, "
            "частых вопросов — {faq}.\n\n"
            "<b>Источники и «по состоянию на»</b>\n"
            "Ответы написаны своими словами по открытым источникам, ссылки на них — под каждым "
            "ответом. «По состоянию на» — дата последней проверки фактов; всё меняется, поэтому "
            "новости ищите по ссылкам.\n\n"
            "<b>Что записывается</b>\n"
            "Для каждого вопроса: его текст, данный ответ, язык, тип чата и время. Кто спросил, "
            "хранится только в виде хеша с секретным ключом — не ваш Telegram id и не имя. "
            "Записи удаляются через {days} дн.; по ним видно, на какие вопросы у меня пока нет "
            "ответа."
        ),
    },
    "lang_set": {
        "en": "I will answer in English.",
        "ru": "Буду отвечать по-русски.",
    },
    "lang_usage": {
        "en": "Use /lang en or /lang ru.",
        "ru": "Напишите /lang ru или /lang en.",
    },
    "ask_usage": {
        "en": "Write the question after the command, e.g. <code>/ask where does Kasparov live</code>",
        "ru": "Напишите вопрос после команды, например <code>/ask где живёт Каспаров</code>",
    },
    "unknown_command": {
        "en": "I don't know that command. /help shows what I can do.",
        "ru": "Такой команды я не знаю. /help покажет, что я умею.",
    },
    "unknown_entry": {
        "en": "That entry is no longer in the knowledge base.",
        "ru": "Этой записи больше нет в базе знаний.",
    },
    "rate_limited": {
        "en": (
            "You are asking faster than I can answer: at most {limit} questions a minute. "
            "I will answer again in about {seconds} seconds; until then I stay quiet."
        ),
        "ru": (
            "Вы спрашиваете быстрее, чем я успеваю отвечать: не больше {limit} вопросов в минуту. "
            "Снова отвечу примерно через {seconds} с, а до тех пор буду молчать."
        ),
    },
    "text_only": {
        "en": "I answer questions written in words. Please type your question as text.",
        "ru": "Я отвечаю на вопросы, написанные словами. Пожалуйста, напишите вопрос текстом.",
    },
    "error": {
        "en": "Sorry, something went wrong on my side. Please try again in a minute.",
        "ru": "Извините, у меня что-то сломалось. Попробуйте ещё раз через минуту.",
    },
    "unknown_link": {
        "en": "The link you followed opens “{entry}”, which is not in the knowledge base (any more).",
        "ru": "Ссылка ведёт к записи «{entry}», которой нет (или больше нет) в базе знаний.",
    },
    # --- feedback on answers and sharing (button labels are plain text: no markup in them) ---
    "button_helpful": {"en": "👍 Helpful", "ru": "👍 Полезно"},
    "button_not_helpful": {"en": "👎 Not helpful", "ru": "👎 Не помогло"},
    "button_error": {"en": "⚠️ Report an error", "ru": "⚠️ Ошибка в ответе"},
    "button_share": {"en": "↗️ Share", "ru": "↗️ Поделиться"},
    "button_cancel": {"en": "✖️ Cancel", "ru": "✖️ Отмена"},
    "button_open_entry": {"en": "Open the entry", "ru": "Открыть запись"},
    "button_open_in_bot": {"en": "Open in @{username}", "ru": "Открыть в @{username}"},
    "thanks_helpful": {
        "en": "Thank you! Glad it helped.",
        "ru": "Спасибо! Рад, что помог.",
    },
    "ask_not_helpful": {
        "en": (
            "Sorry it did not help. What were you looking for, or what is missing? Write it in one "
            "message, or press Cancel.\n<i>The editors read it but never see who wrote it; please "
            "leave out names and other personal details.</i>"
        ),
        "ru": (
            "Жаль, что ответ не помог. Что вы искали или чего в нём не хватает? Напишите одним "
            "сообщением или нажмите «Отмена».\n<i>Редакторы читают отзывы, но не видят, кто их "
            "написал; пожалуйста, не указывайте имён и других личных данных.</i>"
        ),
    },
    "ask_error": {
        "en": (
            "What is wrong in this answer? Write it in one message, with a source if you have "
            "one, or press Cancel.\n<i>The editors check every report but never see who sent it; "
            "please leave out names and other personal details.</i>"
        ),
        "ru": (
            "Что в этом ответе неверно? Напишите одним сообщением, по возможности со ссылкой на "
            "источник, или нажмите «Отмена».\n<i>Редакторы проверяют каждое сообщение, но не "
            "видят, кто его прислал; пожалуйста, не указывайте имён и других личных данных.</i>"
        ),
    },
    "thanks_report": {
        "en": "Thank you, the editors will check it.",
        "ru": "Спасибо, редакторы это проверят.",
    },
    "report_cancelled": {
        "en": "Cancelled: nothing more was sent.",
        "ru": "Отменено: больше ничего не отправлено.",
    },
    "nothing_to_cancel": {
        "en": "There is no report waiting to be written.",
        "ru": "Сейчас нет сообщения, которое ждёт текста.",
    },
    "feedback_gone": {
        "en": "This answer is too old to rate. Ask again to rate the new answer.",
        "ru": "Этот ответ слишком старый, чтобы его оценить. Спросите ещё раз и оцените новый ответ.",
    },
}

#: Command menus (``setMyCommands``), per language.
COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("start", "Examples of questions"),
        ("help", "How to ask"),
        ("about", "What I cover, sources, what I log"),
        ("lang", "Answer language: /lang en or /lang ru"),
        ("ask", "Ask a question (in groups)"),
    ),
    "ru": (
        ("start", "Примеры вопросов"),
        ("help", "Как спрашивать"),
        ("about", "О чём я знаю, источники, что записываю"),
        ("lang", "Язык ответов: /lang ru или /lang en"),
        ("ask", "Задать вопрос (в группах)"),
    ),
}

ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("reload", "Validate and reload the knowledge files"),
    ("stats", "Questions and answer rates, 1 and 7 days"),
    ("unanswered", "Recent questions without an answer"),
)


def say(key: str, lang: str, **values: object) -> str:
    """The text `key` in `lang` (English if missing), with `values` HTML-escaped into it."""
    texts = _TEXTS[key]
    template = texts.get(lang, texts["en"])
    return template.format(**{k: html.escape(str(v), quote=False) for k, v in values.items()})


def start(lang: str, name: str) -> str:
    """The /start greeting with example questions."""
    examples = "\n".join(f"• {html.escape(q, quote=False)}" for q in EXAMPLES[lang])
    texts = _TEXTS["start"]
    return texts[lang].format(name=html.escape(name, quote=False), examples=examples)


def user_lang(language_code: str | None) -> str:
    """Interface language from Telegram's language_code: Russian for ru/uk/be, else English."""
    code = (language_code or "").split("-")[0].lower()
    return "ru" if code in ("ru", "uk", "be") else "en"
