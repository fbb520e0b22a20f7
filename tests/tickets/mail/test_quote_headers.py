"""The attribution line of the quoted mail ("On …, X wrote:") never survives in the stored comment.

One real ``.eml`` per client form (tests/data/eml), from Yahoo's "--- On …" to Gmail in Russian,
and each language's own header without the rest of a message.
"""

from __future__ import annotations

import pytest

from tests.tickets.conftest import World
from tests.tickets.mail.conftest import ingest, processed_ticket
from tickets.mail.parsing import strip_reply
from tickets.models import Channel

pytestmark = pytest.mark.django_db

REPLIES = {
    "yahoo_reply_en.eml": "The sync works again after the restart, thank you.\n\nAlice",
    "gmail_reply_ru.eml": "Здравствуйте,\n\nпосле перезапуска агент синхронизации снова работает. Спасибо!\n\nАлиса",
    "thunderbird_reply_de.eml": "Hallo,\n\nnach dem Neustart funktioniert die Synchronisierung wieder. Danke!\n\nAlice",
    "gmail_reply_es.eml": "Hola:\n\nReinicié el agente de sincronización y ya funciona. ¡Gracias!\n\nAlicia",
    "gmail_reply_it.eml": "Buongiorno,\n\nho riavviato l'agente di sincronizzazione e ora funziona. Grazie!\n\nAlice",
    "gmail_reply_pt.eml": "Olá,\n\nreiniciei o agente de sincronização e agora funciona. Obrigada!\n\nAlice",
    "gmail_reply_nl.eml": (
        "Hallo,\n\nIk heb de synchronisatieagent opnieuw gestart en het werkt weer. Bedankt!\n\nAlice"
    ),
    "gmail_reply_ja.eml": (
        "お世話になっております。\n\n"
        "同期エージェントを再起動したところ、正常に動作するようになりました。ありがとうございました。\n\nアリス"
    ),
}


@pytest.mark.parametrize(("fixture", "expected"), REPLIES.items(), ids=list(REPLIES))
def test_the_stored_comment_is_the_new_text_only(world: World, fixture: str, expected: str) -> None:
    ticket = processed_ticket(world)
    message = ingest(fixture, ticket)
    assert (message.status, message.reason) == ("processed", "comment")
    [comment] = ticket.comments.filter(channel=Channel.EMAIL)
    assert comment.body == expected


# Each header alone, followed by history that carries none of our "reply above this line" markers.
HEADERS = [
    "--- On Wed, 4/4/12, x@example.com <x@example.com> wrote:",
    "4 апреля 2012 г. 10:15 пользователь Иван Петров <ivan@example.com> написал:",
    "04.04.2012 10:15, Иван Петров пишет:",
    "Среда, 4 апреля 2012, 10:15 +03:00 от Иван Петров <ivan@example.com>:",
    "Am Mi., 4. Apr. 2012 um 10:15 Uhr schrieb Jan Schmidt <\njan@example.com>:",
    "El mié, 4 abr 2012 a las 10:15, Ana García (<ana@example.com>) escribió:",
    "Il giorno mer 4 apr 2012 alle ore 10:15 Anna Rossi <anna@example.com> ha scritto:",
    "Em qua., 4 de abr. de 2012 às 10:15, João Silva <\njoao@example.com> escreveu:",
    "Em 4 de abr. de 2012, à(s) 10:15, João Silva <joao@example.com> escreveu:",
    "Op wo 4 apr 2012 om 10:15 schreef Jan de Vries <jan@example.com>:",
    "Op 04-04-2012 om 10:15 schreef Jan de Vries:",
    "2012年4月4日(水) 10:15 山田太郎 <taro@example.com>:",
    "2012年4月4日(水) 10:15 Taro Yamada <\ntaro@example.com>:",
    "2012/04/04 10:15、山田太郎 <taro@example.com>のメール:",
]


@pytest.mark.parametrize("header", HEADERS)
def test_each_language_s_attribution_line_is_cut_with_the_history(header: str) -> None:
    text = f"Thanks, it works now.\n\nBob\n\n{header}\n\n> Did you restart the agent?\n> Regards\n"
    assert strip_reply(text) == "Thanks, it works now.\n\nBob"
