"""The deal book keeps its deals in id order for its readers, sorted again after every change, and its
equity deals by line in its own order."""

from __future__ import annotations

from dataclasses import replace

from critmin.engine.deals import Deal, DealBook


def deal(deal_id: str, start: int = 0, end: int = 4) -> Deal:
    return Deal(deal_id, "offtake", "CHN", "IND", "lithium", "mine", 10.0, start_turn=start, end_turn=end)


def ids(deals: list[Deal]) -> list[str]:
    return [d.id for d in deals]


def test_the_deals_in_id_order_follow_each_signing_and_ending():
    book = DealBook()
    for deal_id in ("D0002", "CHN-IND", "E0001"):
        book.sign(deal(deal_id))
    assert ids(book.in_id_order()) == ["CHN-IND", "D0002", "E0001"]
    book.sign(deal("D0001", start=2))
    assert ids(book.active(1)) == ["CHN-IND", "D0002", "E0001"]
    assert ids(book.active(2)) == ["CHN-IND", "D0001", "D0002", "E0001"]
    book.end("D0002")
    assert ids(book.in_id_order()) == ["CHN-IND", "D0001", "E0001"]
    assert [d["id"] for d in book.records()["deals"]] == ["CHN-IND", "D0001", "E0001"]


def test_a_deal_signed_again_under_its_id_is_read_with_its_new_terms():
    book = DealBook()
    book.sign(deal("D0001"))
    assert ids(book.expired(4)) == ["D0001"]
    book.sign(replace(deal("D0001"), end_turn=9))  # a joint exploration's term runs on from its find
    assert book.expired(4) == [] and book.active(8)[0].end_turn == 9


def test_a_book_made_from_deals_reads_them_in_id_order():
    book = DealBook(deals={d.id: d for d in (deal("E0001"), deal("D0003"), deal("CHN-IND"))})
    assert ids(book.active(0)) == ["CHN-IND", "D0003", "E0001"]
    book.end("D0003")
    assert ids(book.in_id_order()) == ["CHN-IND", "E0001"]


def stake(deal_id: str, host: str, mineral: str, share: float) -> Deal:
    return Deal(deal_id, "equity", host, "IND", mineral, "mine", 0.0, share=share, firm="kabil")


def equity_by_scan(book: DealBook, host: str, mineral: str) -> list[Deal]:
    """The equity deals on a line, found by reading every deal in the book's order."""
    return [
        d
        for d in book.deals.values()
        if d.kind == "equity" and (d.seller, d.mineral, d.stage) == (host, mineral, "mine")
    ]


def test_the_equity_deals_on_a_line_follow_each_signing_and_ending():
    book = DealBook(deals={d.id: d for d in (stake("E0003", "AUS", "lithium", 0.1), deal("D0001"))})
    lines = [("AUS", "lithium"), ("CHL", "lithium"), ("AUS", "nickel")]
    changes = [
        lambda: book.sign(stake("E0001", "AUS", "lithium", 0.2)),
        lambda: book.sign(stake("E0002", "CHL", "lithium", 0.3)),
        lambda: book.sign(deal("D0002")),
        lambda: book.end("E0003"),
        lambda: book.sign(stake("E0004", "AUS", "lithium", 0.05)),
        lambda: book.sign(stake("E0001", "AUS", "nickel", 0.2)),  # signed again under its id, on another line
        lambda: book.end("E0002"),
    ]
    assert [d.id for d in book.equity_on("AUS", "lithium", "mine")] == ["E0003"]
    for change in changes:
        change()
        for host, mineral in lines:
            assert book.equity_on(host, mineral, "mine") == equity_by_scan(book, host, mineral)
    assert [d.id for d in book.equity_on("AUS", "lithium", "mine")] == ["E0004"]
    assert [d.id for d in book.equity_on("AUS", "nickel", "mine")] == ["E0001"]


def test_a_deals_row_is_made_once_while_in_force_and_anew_when_signed_again():
    book = DealBook()
    made: list[str] = []

    def row(d: Deal) -> tuple:
        made.append(d.id)
        return (d.id, d.end_turn)

    book.sign(deal("D0001"))
    book.sign(deal("D0002"))
    assert book.rows_of(book.active(0), row) == [("D0001", 4), ("D0002", 4)]
    assert book.rows_of(book.active(0), row) == [("D0001", 4), ("D0002", 4)] and made == ["D0001", "D0002"]
    book.sign(replace(deal("D0001"), end_turn=9))  # signed again under its id: a new row
    book.end("D0002")
    book.sign(deal("D0002", end=6))  # ended, then a new deal under the old id
    assert book.rows_of(book.active(0), row) == [("D0001", 9), ("D0002", 6)]
    assert made == ["D0001", "D0002", "D0001", "D0002"]
