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
            "follow the sources for news."
        ),
        "ru": (
            "<b>О чём я знаю</b>\n"
            "О российских оппозиционерах в эмиграции, их организациях и связанных событиях: "
            "людей — {people}, организаций — {organisations}, событий и законов — {events}, "
            "частых вопросов — {faq}.\n\n"
            "<b>Источники и «по состоянию на»</b>\n"
            "Ответы написаны своими словами по открытым источникам, ссылки на них — под каждым "
            "ответом. «По состоянию на» — дата последней проверки фактов; всё меняется, поэтому "
            "новости ищите по ссылкам."
        ),
    },
    # --- privacy: /about's second part, /forget, /autodelete (bot/tg/privacy.py) ---
    "about_privacy": {
        "en": (
            "<b>What I keep, and for how long</b>\n"
            "For each question: the time, the kind of chat, the language, the answer given and "
            "{text}. Who asked is kept only as a keyed hash, a different one for private chats, "
            "groups and inline mode, so they cannot be linked; never your Telegram id, username "
            "or name. In inline mode only the query you settle on is kept. The numbers of the "
            "messages in our chat are kept so that I can delete them for you. All of it is "
            "deleted after {days}; it shows which questions I cannot answer yet.\n\n"
            "<b>How to remove it</b>\n"
            "/forget deletes our chat (messages up to 48 hours old: Telegram lets no bot delete "
            "older ones) and everything I keep about you.\n"
            "/autodelete 30 deletes each message of our chat, and your question in my log, "
            "30 minutes after it was sent; /autodelete off stops it."
        ),
        "ru": (
            "<b>Что я храню и сколько</b>\n"
            "Для каждого вопроса: время, тип чата, язык, данный ответ и {text}. Кто спросил, "
            "хранится только в виде хеша с секретным ключом, разного для личных чатов, групп и "
            "инлайн-режима, так что их не связать; ни ваш Telegram id, ни имя пользователя, ни "
            "имя не хранятся. В инлайн-режиме записывается только запрос, на котором вы "
            "остановились. Номера сообщений нашего чата хранятся, чтобы я мог удалить их по "
            "вашей просьбе. Всё это удаляется через {days}; по записям видно, на какие вопросы "
            "у меня пока нет ответа.\n\n"
            "<b>Как это удалить</b>\n"
            "/forget удаляет наш чат (сообщения не старше 48 часов: более старые Telegram "
            "ботам удалять не даёт) и всё, что я храню о вас.\n"
            "/autodelete 30 удаляет каждое сообщение нашего чата и ваш вопрос в моих записях "
            "через 30 минут после отправки; /autodelete off отключает это."
        ),
    },
    "about_text_kept": {
        "en": (
            "the question's text, with phone numbers, e-mail addresses, @usernames, links, long "
            "numbers and the name or town you introduce yourself with replaced by placeholders"
        ),
        "ru": (
            "текст вопроса, где номера телефонов, адреса почты, @имена, ссылки, длинные числа и "
            "имя или город, которыми вы представились, заменены пометками"
        ),
    },
    "about_text_not_kept": {
        "en": (
            "for group questions only, the question's text, with phone numbers, e-mail "
            "addresses, @usernames, links and long numbers replaced by placeholders (from "
            "private chats and inline mode no text is kept)"
        ),
        "ru": (
            "только для вопросов в группах — текст вопроса, где телефоны, адреса почты, @имена, "
            "ссылки и длинные числа заменены пометками (из личных чатов и инлайн-режима текст "
            "не хранится)"
        ),
    },
    "forget_ask": {
        "en": (
            "Delete our conversation? I will delete the messages of this chat that Telegram "
            "still lets me delete (up to 48 hours old), and every question and setting I keep "
            "about you. This cannot be undone."
        ),
        "ru": (
            "Удалить наш разговор? Я удалю сообщения этого чата, которые Telegram ещё позволяет "
            "удалить (не старше 48 часов), и все вопросы и настройки, которые храню о вас. "
            "Отменить это будет нельзя."
        ),
    },
    "forget_yes": {"en": "Yes, delete everything", "ru": "Да, удалить всё"},
    "forget_no": {"en": "Cancel", "ru": "Отмена"},
    "forget_working": {"en": "Deleting…", "ru": "Удаляю…"},
    "forget_cancelled": {"en": "Nothing was deleted.", "ru": "Ничего не удалено."},
    "forget_done": {
        "en": "Done: I deleted {messages} of our chat and {questions} from my log. Nothing else about you is kept.",
        "ru": "Готово: я удалил {messages} нашего чата и {questions} из своих записей. Больше о вас ничего не хранится.",
    },
    "forget_too_old": {
        "en": (
            "{older} are older than 48 hours: Telegram does not let a bot delete them. To remove "
            "them, delete this chat in Telegram and tick “Also delete for the bot”."
        ),
        "ru": (
            "Ещё {older} старше 48 часов: такие Telegram ботам удалять не даёт. Чтобы убрать их, "
            "удалите этот чат в Telegram, отметив «Также удалить для бота»."
        ),
    },
    "autodelete_on": {
        "en": (
            "Auto-delete is on: each message of our chat, and your question in my log, is "
            "deleted {minutes} after it was sent (earlier messages too). /autodelete off stops it."
        ),
        "ru": (
            "Автоудаление включено: каждое сообщение нашего чата и ваш вопрос в моих записях "
            "удаляются через {minutes} после отправки (и прежние тоже). /autodelete off отключает."
        ),
    },
    "autodelete_off": {
        "en": "Auto-delete is off; messages stay until you delete them or use /forget.",
        "ru": "Автоудаление выключено; сообщения остаются, пока вы их не удалите или не напишете /forget.",
    },
    "autodelete_is_on": {
        "en": "Auto-delete is on: after {minutes}. /autodelete off stops it.",
        "ru": "Автоудаление включено: через {minutes}. /autodelete off отключает.",
    },
    "autodelete_is_off": {
        "en": "Auto-delete is off. /autodelete 30 deletes each message of our chat after 30 minutes.",
        "ru": "Автоудаление выключено. /autodelete 30 удаляет каждое сообщение нашего чата через 30 минут.",
    },
    "autodelete_usage": {
        "en": "Write the minutes, from 1 to {most}, e.g. /autodelete 30, or /autodelete off.",
        "ru": "Укажите число минут, от 1 до {most}, например /autodelete 30, или /autodelete off.",
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
}

#: Command menus (``setMyCommands``), per language.
COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("start", "Examples of questions"),
        ("help", "How to ask"),
        ("about", "What I cover, sources, what I log"),
        ("lang", "Answer language: /lang en or /lang ru"),
        ("ask", "Ask a question (in groups)"),
        ("forget", "Delete our chat and what I keep about you"),
        ("autodelete", "Delete our messages after N minutes"),
    ),
    "ru": (
        ("start", "Примеры вопросов"),
        ("help", "Как спрашивать"),
        ("about", "О чём я знаю, источники, что записываю"),
        ("lang", "Язык ответов: /lang ru или /lang en"),
        ("ask", "Задать вопрос (в группах)"),
        ("forget", "Удалить наш чат и всё, что я о вас храню"),
        ("autodelete", "Удалять наши сообщения через N минут"),
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
