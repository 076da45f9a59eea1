"""What the bot says in its own voice (not answers), in English and Russian: greetings, help,
/about, /lang, notices, command menus, and every text admins see (/reload, /stats, /unanswered,
notices).

Templates are HTML-safe as written; `say` escapes the values put into them. A placeholder with a
noun after the colon, ``{limit:question}``, takes a number and shows it with that noun in the
right form (`bot.answers.wording.count`): «1 вопрос», «21 вопрос», «через 30 секунд». A word
that refers back to the things counted picks singular|plural from the same number and shows no
number: ``{older:=it|them}``, ``{older:=его|их}`` — singular only for exactly one, in both languages
(«21 сообщение… чтобы убрать их»; `bot.answers.wording.refers`).
Russian templates are written with plain spaces; `wording.typeset` adds the non-breaking ones.
"""

from __future__ import annotations

import html
import string
from collections.abc import Callable, Mapping

from bot.answers import wording

LANGS = ("en", "ru")
#: ``/lang auto``: follow each question's language again.
AUTO = "auto"

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

#: Nouns for ``{value:noun}``: (English singular, plural), (Russian one, few, many) in the case
#: the templates use them in.
NOUNS: dict[str, tuple[tuple[str, str], tuple[str, str, str]]] = {
    "question": (("question", "questions"), ("вопрос", "вопроса", "вопросов")),
    "common_question": (("common question", "common questions"), ("частый вопрос", "частых вопроса", "частых вопросов")),
    "person": (("person", "people"), ("человек", "человека", "человек")),
    "organisation": (("organisation", "organisations"), ("организация", "организации", "организаций")),
    "event": (("event", "events"), ("событие", "события", "событий")),
    # accusative, as after «через» and «за»
    "second": (("second", "seconds"), ("секунду", "секунды", "секунд")),
    "day": (("day", "days"), ("день", "дня", "дней")),
    "minute": (("minute", "minutes"), ("минуту", "минуты", "минут")),
    "message": (("message", "messages"), ("сообщение", "сообщения", "сообщений")),
    "report": (("report", "reports"), ("сообщение", "сообщения", "сообщений")),
    "row": (("row", "rows"), ("строка", "строки", "строк")),
    # genitive, as after «от» and «до»
    "user": (("user", "users"), ("пользователя", "пользователей", "пользователей")),
    "row_gen": (("row", "rows"), ("строки", "строк", "строк")),
    # nominative, as after «и ещё»
    "fact": (("fact", "facts"), ("факт", "факта", "фактов")),
}  # fmt: skip

_TEXTS: dict[str, dict[str, str]] = {
    # --- everyone -------------------------------------------------------------------------
    "hello": {"en": "Hello, {name}!", "ru": "Здравствуйте, {name}!"},
    "hello_anonymous": {"en": "Hello!", "ru": "Здравствуйте!"},
    "start": {
        "en": (
            "{hello} I answer questions about Russian opposition figures in exile: who they are, "
            "where they live now, when and why they left Russia, and what they do. Every answer "
            "comes from a knowledge base our editors keep and check, with links to its sources.\n\n"
            "Try asking:\n{examples}\n\n"
            "/help: how to ask · /about: what I know and what I log"
        ),
        "ru": (
            "{hello} Я отвечаю на вопросы о российских оппозиционерах в эмиграции: кто они, где "
            "живут сейчас, когда и почему уехали из России, чем занимаются. Ответы берутся из "
            "базы, которую ведут и проверяют наши редакторы, и под каждым — ссылки на источники.\n\n"
            "Спросите, например:\n{examples}\n\n"
            "/help — как задать вопрос · /about — что я знаю и что записываю"
        ),
    },
    "help": {
        "en": (
            "<b>How to ask</b>\n"
            "Write your question in plain words, in English or Russian; typos are fine. If I am "
            "not sure whom or what you mean, I offer a few choices as buttons.\n\n"
            "<b>In a group</b>: write /ask and the question, reply to one of my messages, or "
            "mention @{username}.\n"
            "<b>In any chat</b>: type @{username} and a question, then pick the answer to send.\n\n"
            "/start: example questions\n"
            "/about: what I know, where answers come from, what I log\n"
            "/lang: the language I answer in\n"
            "/ask: a question in a group"
        ),
        "ru": (
            "<b>Как задать вопрос</b>\n"
            "Напишите его обычными словами, по-русски или по-английски; опечатки не страшны. "
            "Если я не пойму, о ком или о чём речь, предложу несколько вариантов кнопками.\n\n"
            "<b>В группе</b>: напишите /ask и вопрос, ответьте на моё сообщение или упомяните "
            "@{username}.\n"
            "<b>В любом чате</b>: наберите @{username} и вопрос, затем выберите ответ, который "
            "хотите отправить.\n\n"
            "/start — примеры вопросов\n"
            "/about — что я знаю, откуда берутся ответы, что я записываю\n"
            "/lang — язык ответов\n"
            "/ask — вопрос в группе"
        ),
    },
    "about": {
        "en": (
            "<b>What I know</b>\n"
            "Russian opposition figures in exile, their organisations and the events around "
            "them. The knowledge base now holds {people:person}, {organisations:organisation} "
            "and {events:event} (laws and state registers among them), and answers to "
            "{faq:common_question}.\n\n"
            "<b>Sources and dates</b>\n"
            "Answers are written in our own words from public sources, linked under each "
            "answer. The date under an answer is the day an editor last checked it against "
            "those sources. Things change, so follow the sources for news."
        ),
        "ru": (
            "<b>Что я знаю</b>\n"
            "Я рассказываю о российских оппозиционерах в эмиграции, их организациях и связанных "
            "с ними событиях. Сейчас в базе {people:person}, {organisations:organisation} и "
            "{events:event} (среди них законы и государственные реестры), а также ответы на "
            "{faq:common_question}.\n\n"
            "<b>Источники и даты</b>\n"
            "Ответы написаны нашими словами по открытым источникам; ссылки на них — под каждым "
            "ответом. Дата под ответом — день, когда редактор в последний раз сверил его с "
            "источниками. Всё меняется, поэтому за новостями следите по ссылкам."
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
            "deleted after {days:day}; it shows which questions I cannot answer yet.\n\n"
            "<b>How to remove it</b>\n"
            "/forget deletes our chat (messages up to 48 hours old: Telegram lets no bot delete "
            "older ones) and everything I keep about you.\n"
            "/autodelete 30 deletes each message of our chat, and your question in my log, "
            "30 minutes after it was sent; /autodelete off stops it."
        ),
        "ru": (
            "<b>Что я храню и как долго</b>\n"
            "Для каждого вопроса: время, тип чата, язык, ответ, который я дал, и {text}. О том, кто "
            "спросил, я храню только хеш с секретным ключом, разный для личных чатов, групп и "
            "инлайн-режима, так что эти записи не связать между собой; ни ваш ID в Telegram, ни имя "
            "пользователя, ни ваше имя я не храню. В инлайн-режиме записывается только запрос, на котором вы "
            "остановились. Номера сообщений нашего чата хранятся, чтобы я мог удалить их по "
            "вашей просьбе. Всё это удаляется через {days:day}; по записям видно, на какие вопросы "
            "у меня пока нет ответа.\n\n"
            "<b>Как это удалить</b>\n"
            "/forget удаляет наш чат (сообщения не старше 48 часов: более старые Telegram "
            "ботам удалять не даёт) и всё, что я храню о вас.\n"
            "/autodelete 30 удаляет каждое сообщение нашего чата и ваш вопрос в моих записях "
            "через 30 минут после отправки; /autodelete выкл отключает это."
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
        "en": "Done: I deleted {messages:message} of our chat and {questions:question} from my log. Nothing else about you is kept.",
        "ru": "Готово: я удалил {messages:message} нашего чата и {questions:question} из своих записей. Больше о вас ничего не хранится.",
    },
    "forget_too_old": {
        "en": (
            "{older:message} {older:=is|are} older than 48 hours: Telegram does not let a bot delete "
            "{older:=it|them}. To remove {older:=it|them}, delete this chat in Telegram and tick “Also delete "
            "for the bot”."
        ),
        "ru": (
            "Ещё {older:message} старше 48 часов: такие Telegram ботам удалять не даёт. Чтобы убрать "
            "{older:=его|их}, удалите этот чат в Telegram, отметив «Также удалить для бота»."
        ),
    },
    "autodelete_on": {
        "en": (
            "Auto-delete is on: each message of our chat, and your question in my log, is "
            "deleted {minutes:minute} after it was sent (earlier messages too). /autodelete off stops it."
        ),
        "ru": (
            "Автоудаление включено: каждое сообщение нашего чата и ваш вопрос в моих записях "
            "удаляются через {minutes:minute} после отправки (и прежние тоже). /autodelete выкл — отключить."
        ),
    },
    "autodelete_off": {
        "en": "Auto-delete is off; messages stay until you delete them or use /forget.",
        "ru": "Автоудаление выключено; сообщения остаются, пока вы их не удалите или не напишете /forget.",
    },
    "autodelete_is_on": {
        "en": "Auto-delete is on: after {minutes:minute}. /autodelete off stops it.",
        "ru": "Автоудаление включено: через {minutes:minute}. /autodelete выкл — отключить.",
    },
    "autodelete_is_off": {
        "en": "Auto-delete is off. /autodelete 30 deletes each message of our chat after 30 minutes.",
        "ru": "Автоудаление выключено. /autodelete 30 удаляет каждое сообщение нашего чата через 30 минут.",
    },
    "autodelete_usage": {
        "en": "Write the minutes, from 1 to {most}, e.g. /autodelete 30, or /autodelete off.",
        "ru": "Укажите число минут, от 1 до {most}, например /autodelete 30, или /autodelete выкл.",
    },
    "lang_set": {
        "en": "From now on I answer in English, whatever language you ask in. /lang auto: answer in the language of each question again.",
        "ru": "Теперь я отвечаю по-русски, на каком бы языке вы ни спросили. /lang auto — снова отвечать на языке вопроса.",
    },
    "lang_auto": {
        "en": "I answer in the language of each question again.",
        "ru": "Снова отвечаю на том языке, на котором задан вопрос.",
    },
    "lang_chosen": {
        "en": (
            "I answer you in English: you chose it with /lang.\n"
            "/lang ru: answer in Russian\n"
            "/lang auto: answer in the language of each question"
        ),
        "ru": (
            "Я отвечаю вам по-русски: вы выбрали это командой /lang.\n"
            "/lang en — отвечать по-английски\n"
            "/lang auto — отвечать на языке вопроса"
        ),
    },
    "lang_following": {
        "en": (
            "I answer in the language each question is asked in, and write my own messages in "
            "English, as your Telegram is set up.\n"
            "/lang en: always answer in English\n"
            "/lang ru: always answer in Russian"
        ),
        "ru": (
            "Я отвечаю на том языке, на котором задан вопрос, а свои сообщения пишу по-русски, "
            "как настроен ваш Telegram.\n"
            "/lang ru — всегда отвечать по-русски\n"
            "/lang en — всегда отвечать по-английски"
        ),
    },
    "lang_usage": {
        "en": "I speak two languages: /lang en for English, /lang ru for Russian, /lang auto to follow each question.",
        "ru": "Я говорю на двух языках: /lang ru — по-русски, /lang en — по-английски, /lang auto — на языке вопроса.",
    },
    "ask_usage": {
        "en": "Write the question after the command, for example <code>/ask where does Kasparov live</code>",
        "ru": "Напишите вопрос после команды, например <code>/ask где живёт Каспаров</code>",
    },
    "unknown_command": {
        "en": "I don't know that command. /help lists what I can do.",
        "ru": "Такой команды у меня нет. Что я умею, подскажет /help.",
    },
    "unknown_entry": {
        "en": "This entry is no longer in the knowledge base.",
        "ru": "Этой записи в базе больше нет.",
    },
    "rate_limited": {
        "en": (
            "You are asking faster than I can answer: I take at most {limit:question} a minute "
            "from one person. I will answer again in about {seconds:second}; until then I stay quiet."
        ),
        "ru": (
            "Вы спрашиваете быстрее, чем я успеваю отвечать: одному человеку я отвечаю не больше "
            "чем на {limit:question} в минуту. Снова отвечу примерно через {seconds:second}, а "
            "пока помолчу."
        ),
    },
    "text_only": {
        "en": "I can only read text. Please type your question in words.",
        "ru": "Я понимаю только текст. Напишите, пожалуйста, вопрос словами.",
    },
    "error": {
        "en": "Sorry, something went wrong on my side. Please try again in a minute.",
        "ru": "Простите, у меня что-то пошло не так. Попробуйте ещё раз через минуту.",
    },
    # --- admins ---------------------------------------------------------------------------
    "reloaded": {
        "en": "Knowledge reloaded in {took:second}: {people:person}, {organisations:organisation}, {events:event}, {faq:common_question}.",
        "ru": "База знаний перезагружена за {took:second}: {people:person}, {organisations:organisation}, {events:event}, {faq:common_question}.",
    },
    "reload_failed": {
        "en": "<b>Reload failed</b>: the previous knowledge keeps serving until these problems are fixed.",
        "ru": "<b>Перезагрузка не удалась</b>: пока эти ошибки не исправлены, я отвечаю по прежней базе.",
    },
    "reload_failed_signal": {
        "en": "<b>Reload on SIGHUP failed</b>: the previous knowledge keeps serving until these problems are fixed.",
        "ru": "<b>Перезагрузка по SIGHUP не удалась</b>: пока эти ошибки не исправлены, я отвечаю по прежней базе.",
    },
    "and_more": {"en": "…and {n} more", "ru": "…и ещё {n}"},
    "bot_error": {
        "en": "⚠️ Error while handling an update: {error}",
        "ru": "⚠️ Ошибка при обработке запроса: {error}",
    },
    "log_cannot_write": {
        "en": "⚠️ Query log: cannot write to {path} ({error}). Up to {pending:row} can wait in memory; {pending:=it is|they are} written once it works again.",
        "ru": "⚠️ Журнал вопросов: не получается записать в {path} ({error}). В памяти поместится до {pending:row_gen}; {pending:=она будет записана|они будут записаны}, когда запись заработает.",
    },
    "log_dropping": {
        "en": "⚠️ Query log: memory is full ({pending:row} queued); new rows are dropped until writing works again.",
        "ru": "⚠️ Журнал вопросов: память заполнена ({pending:row} в очереди); новые строки теряются, пока запись не заработает.",
    },
    "log_writing_again": {
        "en": "Query log: writing again after {waited:second}; {dropped:row} lost in all.",
        "ru": "Журнал вопросов: запись снова работает, перерыв длился {waited:second}; потери за всё время: {dropped:row}.",
    },
    "log_file_restored": {
        "en": "⚠️ Query log: {path} was deleted while the bot was running. I recreated it with every row written so far, and logging goes on there.",
        "ru": "⚠️ Журнал вопросов: файл {path} удалили, пока бот работал. Я создал его заново со всеми уже записанными строками, запись продолжается в него.",
    },
    "log_file_replaced": {
        "en": "⚠️ Query log: {path} was replaced by another file while the bot was running. New rows now go to the file that took its place.",
        "ru": "⚠️ Журнал вопросов: файл {path} заменили другим, пока бот работал. Новые строки теперь записываются в новый файл.",
    },
    "stats_window_day": {
        "en": "Last 24 hours: {total:question} from {users:user}",
        "ru": "За сутки: {total:question} от {users:user}",
    },
    "stats_window": {
        "en": "Last {days:day}: {total:question} from {users:user}",
        "ru": "За {days:day}: {total:question} от {users:user}",
    },
    "stats_empty_day": {"en": "Last 24 hours: no questions", "ru": "За сутки вопросов не было"},
    "stats_empty": {"en": "Last {days:day}: no questions", "ru": "За {days:day} вопросов не было"},
    "outcome_answer": {"en": "answered", "ru": "с ответом"},
    "outcome_suggest": {"en": "choices offered", "ru": "с вариантами"},
    "outcome_none": {"en": "no answer", "ru": "без ответа"},
    "stats_fronts": {"en": "From: {fronts}", "ru": "Откуда: {fronts}"},
    "front_private": {"en": "private chats", "ru": "личные чаты"},
    "front_group": {"en": "groups", "ru": "группы"},
    "front_inline": {"en": "inline", "ru": "инлайн"},
    "front_callback": {"en": "buttons", "ru": "кнопки"},
    "front_terminal": {"en": "terminal", "ru": "терминал"},
    "stats_top": {"en": "Asked most:", "ru": "Чаще всего спрашивали:"},
    "stats_top_unanswered": {"en": "Asked most, with no answer:", "ru": "Чаще всего без ответа:"},
    "unanswered_none": {"en": "No unanswered questions.", "ru": "Вопросов без ответа нет."},
    "stats_least_helpful": {
        "en": "Least helpful entries, last {days:day}:",
        "ru": "Наименее полезные записи за {days:day}:",
    },
    "helpfulness_line": {
        "en": "{n}. {entry}: {share} helpful (👍 {helpful} · 👎 {not_helpful} · ⚠️ {errors})",
        "ru": "{n}. {entry}: полезно {share} (👍 {helpful} · 👎 {not_helpful} · ⚠️ {errors})",
    },
    "feedback_none": {"en": "No feedback in the last {days:day}.", "ru": "За {days:day} отзывов нет."},
    "feedback_heading": {
        "en": "Helpfulness per entry, last {days:day}, least helpful first:",
        "ru": "Полезность записей за {days:day}, сначала наименее полезные:",
    },
    "feedback_reports": {
        "en": "Reports ({n}), most recent first:",
        "ru": "Сообщения ({n}), сначала последние:",
    },
    "notice_error": {"en": "⚠️ <b>Error report</b>", "ru": "⚠️ <b>Сообщение об ошибке</b>"},
    "notice_not_helpful": {
        "en": "👎 <b>Not helpful</b>, with a comment",
        "ru": "👎 <b>Не помогло</b>, с комментарием",
    },
    "notice_body": {
        "en": "<b>Entry:</b> {title} (<code>{entry}</code>)\n<b>Question:</b> {question}\n<b>Report:</b> {report}",
        "ru": "<b>Запись:</b> {title} (<code>{entry}</code>)\n<b>Вопрос:</b> {question}\n<b>Сообщение:</b> {report}",
    },
    "notice_entry_gone": {"en": "no longer in the knowledge base", "ru": "больше нет в базе знаний"},
    # --- reports handled (the notice's button, the digest, the terminal) ---------------------
    "button_mark_handled": {"en": "✅ Mark as handled", "ru": "✅ Отметить как разобранное"},
    "notice_handled": {"en": "✅ Marked as handled.", "ru": "✅ Отмечено как разобранное."},
    "notice_report_gone": {
        "en": "This report is no longer stored: its sender deleted it or replaced it, or it is past the retention period.",
        "ru": "Этого сообщения больше нет в журнале: автор удалил или заменил его, или истёк срок хранения.",
    },
    "handled_toast_handled": {"en": "Marked as handled.", "ru": "Отмечено как разобранное."},
    "handled_toast_already": {
        "en": "This report was already marked as handled.",
        "ru": "Это сообщение уже отмечено как разобранное.",
    },
    "handled_toast_gone": {
        "en": "This report is no longer stored.",
        "ru": "Этого сообщения больше нет в журнале.",
    },
    "handled_failed": {
        "en": "The query log cannot be written to right now; nothing was changed. Try again later.",
        "ru": "Журнал вопросов сейчас недоступен для записи: ничего не изменилось. Попробуйте позже.",
    },
    "admins_only": {  # a button only admins may press
        "en": "Only the bot's admins can do that.",
        "ru": "Это доступно только администраторам бота.",
    },
    "digest_reports_heading": {
        "en": "<b>Error reports not yet handled</b>",
        "ru": "<b>Неразобранные сообщения об ошибках</b>",
    },
    "digest_reports_none": {
        "en": "None: every report has been handled.",
        "ru": "Нет: все сообщения разобраны.",
    },
    "digest_reports_count": {
        "en": "{n:report} in all, most recent first:",
        "ru": "Всего {n:report}, сначала последние:",
    },
    "digest_report_line": {
        "en": "{n}. {mark} <code>{entry}</code>, asked “{question}”: {report}",
        "ru": "{n}. {mark} <code>{entry}</code>, вопрос «{question}»: {report}",
    },
    "digest_report_line_unasked": {
        "en": "{n}. {mark} <code>{entry}</code>: {report}",
        "ru": "{n}. {mark} <code>{entry}</code>: {report}",
    },
    "digest_reports_more": {
        "en": "…and {n} more: <code>{command}</code> lists them all",
        "ru": "…и ещё {n}: полный список выводит <code>{command}</code>",
    },
    "feedback_unhandled_none": {
        "en": "No reports waiting to be handled.",
        "ru": "Неразобранных сообщений нет.",
    },
    "feedback_unhandled_heading": {
        "en": "Reports not yet handled ({n}), most recent first:",
        "ru": "Неразобранные сообщения ({n}), сначала последние:",
    },
    "unanswered_heading": {
        "en": "{n:question} with no answer{n:=|, most recent first}:",
        "ru": "{n:question} без ответа{n:=|, сначала последние}:",
    },
    "unknown_link": {
        "en": "The link you followed opens “{entry}”, which is not in the knowledge base (any more).",
        "ru": "Ссылка ведёт к записи «{entry}», которой нет (или больше нет) в базе знаний.",
    },
    # --- /unanswered: one-tap fixes (button labels are plain text) -------------------------
    "fix_as_question": {
        "en": "add as question of {entry} “{title}” ({path})",
        "ru": "добавить как вариант вопроса в запись {entry} «{title}» ({path})",
    },
    "fix_as_alias": {
        "en": "add as alias of {entry} “{title}” ({path})",
        "ru": "добавить как псевдоним в запись {entry} «{title}» ({path})",
    },
    "fix_button_question": {"en": "{n}. question of {title}", "ru": "{n}. как вопрос: {title}"},
    "fix_button_alias": {"en": "{n}. alias of {title}", "ru": "{n}. как псевдоним: {title}"},
    "fix_button_dismiss": {"en": "Dismiss", "ru": "Скрыть"},
    "fix_no_target": {
        "en": "The matcher has no entry to add it to.",
        "ru": "Подходящей записи, в которую его можно добавить, не нашлось.",
    },
    "fix_out_of_date": {
        "en": "This list is out of date: send /unanswered again.",
        "ru": "Этот список устарел: отправьте /unanswered ещё раз.",
    },
    "fix_unknown_button": {"en": "Unknown button.", "ru": "Неизвестная кнопка."},
    "fix_dismissed_short": {"en": "Dismissed.", "ru": "Скрыто."},
    "fix_dismissed": {
        "en": "Dismissed: <b>{question}</b> (not listed again).",
        "ru": "Скрыто: <b>{question}</b>. Больше этот вопрос в списке не появится.",
    },
    "fix_checking": {
        "en": "Checking the knowledge files with the change…",
        "ru": "Проверяю базу знаний вместе с изменением…",
    },
    "fix_refused": {
        "en": "<b>Not added</b> to {entry}; nothing was changed:",
        "ru": "<b>Не добавлено</b> в запись {entry}, ничего не изменилось:",
    },
    "fix_added": {
        "en": (
            "✅ Added to <code>{path}</code>\n{entry} → {field}: <b>{question}</b>\nValidated and reloaded: "
            "{people:person}, {organisations:organisation}, {events:event}, {faq:common_question}."
        ),
        "ru": (
            "✅ Добавлено в <code>{path}</code>\n{entry} → {field}: <b>{question}</b>\nБаза проверена и "
            "перезагружена: {people:person}, {organisations:organisation}, {events:event}, {faq:common_question}."
        ),
    },
    "fix_answered": {
        "en": "It is now answered with <b>{title}</b> ({entry}).",
        "ru": "Теперь бот отвечает на него записью <b>{title}</b> ({entry}).",
    },
    "fix_still_unanswered": {
        "en": "The bot still does not answer it ({outcome}); more phrasings may help.",
        "ru": "Бот по-прежнему на него не отвечает ({outcome}); помогут другие формулировки.",
    },
    # --- the weekly digest ---------------------------------------------------------------
    "digest_title": {"en": "<b>Weekly digest</b>, {date}", "ru": "<b>Сводка за неделю</b>, {date}"},
    "digest_more_stale": {
        "en": "…plus {n:fact}: /stale lists them all",
        "ru": "…и ещё {n:fact}: полный список покажет /stale",
    },
    "digest_unanswered": {
        "en": "<b>Top unanswered questions, last {days:day}</b>",
        "ru": "<b>Самые частые вопросы без ответа за {days:day}</b>",
    },
    "digest_none": {"en": "None.", "ru": "Таких нет."},
    "digest_section_failed": {
        "en": "<b>{section}</b>: failed ({error})",
        "ru": "<b>{section}</b>: не удалось собрать ({error})",
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

#: Command menus (``setMyCommands``), per language; admins see `ADMIN_COMMANDS` after them.
COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("start", "Example questions"),
        ("help", "How to ask"),
        ("about", "What I know, sources, what I log"),
        ("lang", "Answer language: en, ru or auto"),
        ("ask", "Ask in a group"),
        ("forget", "Delete our chat and what I keep about you"),
        ("autodelete", "Delete our messages after N minutes"),
    ),
    "ru": (
        ("start", "Примеры вопросов"),
        ("help", "Как задать вопрос"),
        ("about", "Что я знаю, источники, что записываю"),
        ("lang", "Язык ответов: ru, en или auto"),
        ("ask", "Вопрос в группе"),
        ("forget", "Удалить наш чат и всё, что я о вас храню"),
        ("autodelete", "Удалять наши сообщения через N минут"),
    ),
}
ADMIN_COMMANDS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("reload", "Check and reload the knowledge files"),
        ("stats", "Questions and answer rates, 24 hours and 7 days"),
        ("unanswered", "Recent questions with no answer"),
        ("stale", "Facts that may be out of date"),
    ),
    "ru": (
        ("reload", "Проверить и перезагрузить базу знаний"),
        ("stats", "Вопросы и доля ответов за сутки и неделю"),
        ("unanswered", "Последние вопросы без ответа"),
        ("stale", "Факты, которые могли устареть"),
    ),
}


class _Formatter(string.Formatter):
    """``{n:noun}`` becomes a count with its noun; other values are escaped for HTML if asked."""

    def __init__(self, lang: str, escape: bool) -> None:
        self.lang, self.escape = lang, escape

    def format_field(self, value: object, format_spec: str) -> str:
        if isinstance(value, _Raw):
            return str(value)
        if format_spec.startswith("="):  # a word referring to the things counted: "=it|them", «=его|их»
            singular, plural = format_spec[1:].split("|")
            return wording.refers(int(value), singular, plural)  # type: ignore[call-overload]
        if format_spec in NOUNS:
            en, ru = NOUNS[format_spec]
            return wording.count(value, self.lang, en, ru)  # type: ignore[arg-type]
        text = super().format_field(value, format_spec)
        return html.escape(text, quote=False) if self.escape else text


def template(key: str, lang: str) -> str:
    """The raw template of `key` in `lang` (English if missing), before values go in."""
    texts = _TEXTS[key]
    return texts.get(lang, texts["en"])


def say(key: str, lang: str, **values: object) -> str:
    """The text `key` in `lang` (English if missing), with `values` HTML-escaped into it, typeset."""
    return wording.typeset(part(key, lang, **values), lang)


def part(key: str, lang: str, **values: object) -> str:
    """The text `key` as `say` makes it but not yet typeset: a piece that goes into another text
    (`say(..., x=_Raw(part(...)))`), which typesets the whole once."""
    return _Raw(_Formatter(lang, escape=True).format(template(key, lang), **values))


def words(lang: str, as_html: bool = True) -> Callable[..., str]:
    """``words(key, **values)`` in `lang`: what the query-log reports say, for Telegram (HTML,
    values escaped) or for the terminal (plain, with plain spaces: a terminal does not wrap)."""
    formatter = _Formatter(lang, escape=as_html)

    def say_in(key: str, **values: object) -> str:
        text = wording.typeset(formatter.format(template(key, lang), **values), lang)
        return text if as_html else text.replace(wording.NBSP, " ")

    return say_in


def start(lang: str, name: str) -> str:
    """The /start greeting with example questions."""
    examples = "\n".join(f"• {html.escape(q, quote=False)}" for q in EXAMPLES[lang])
    hello = part("hello", lang, name=name) if name.strip() else part("hello_anonymous", lang)
    return say("start", lang, examples=_Raw(examples), hello=hello)


def menu(lang: str, admin: bool = False) -> list[tuple[str, str]]:
    """The command menu in `lang`: everyone's commands, and the admins' after them."""
    return [*COMMANDS[lang], *(ADMIN_COMMANDS[lang] if admin else ())]


def knowledge_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """The entry counts the /about and /reload texts name, 0 for a kind with none."""
    return {kind: counts.get(kind, 0) for kind in ("people", "organisations", "events", "faq")}


def user_lang(language_code: str | None) -> str:
    """Interface language from Telegram's language_code: Russian for ru/uk/be, else English."""
    code = (language_code or "").split("-")[0].lower()
    return "ru" if code in ("ru", "uk", "be") else "en"


class _Raw(str):
    """Text already HTML-safe (built from escaped parts): put into a template as it is."""
