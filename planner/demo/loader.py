"""Play the demo's history through the service's own HTTP API, in-process.

Every change goes through the route a person would use, as that person (the committee
chair counters and awards, the suppliers' negotiators quote, each owner casts their own
ballot, the treasurer approves), so the events, the audit chain, the running tallies and
the plan versions are exactly what the slices write. Returns the tour's members.
"""

from __future__ import annotations

import asyncio
import random
import time as timer
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx

from planner.consultation import service as consultation_service
from planner.consultation import store as consultation_store
from planner.db.pool import Database
from planner.demo import population as pop
from planner.demo import story
from planner.demo.auction_chapter import play_auction
from planner.demo.client import Caller, DemoLoadError, items
from planner.demo.needs_story import play_needs, work_body
from planner.demo.settlement_story import play_after_decision
from planner.demo.sheet_photo import sheet_photo
from planner.events import event_clock

BAND = ["0.20", "0.30"]
RESIDENTS_RANGE_FEN = (150_000 * 100, 200_000 * 100)


@dataclass
class Estate:
    id: int
    buildings: dict[str, int]
    households: list[dict[str, Any]]

    def persons_in(self, building: str) -> dict[str, list[dict[str, Any]]]:
        """Owner key → that owner's units in one building, in roll (id) order."""
        persons: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for h in sorted(self.households, key=lambda h: h["id"]):
            if h["building"] == building:
                persons[h["owner_key"]].append(h)
        return dict(persons)

    def units_of(self, owner_key: str) -> list[int]:
        return sorted(h["id"] for h in self.households if h["owner_key"] == owner_key)


class StoryClock:
    """The story's time while the loader plays it: the wall clock plus the current step's
    offset. ``at`` starts a step at a story time; ``windows`` tells, for every wall-clock
    moment of the load, the offset in force then, so the rows' own timestamps (written by the
    database's ``now()``) can be moved to story time afterwards (``store.redate``)."""

    def __init__(self) -> None:
        self.started = datetime.now(UTC)
        self.today = self.started.astimezone(story.ZONE).date()
        self.offset = timedelta(0)
        self._starts: list[tuple[datetime, timedelta]] = [(self.started, self.offset)]
        self.finished: datetime | None = None

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def day(self, when: story.Day, plus: timedelta = timedelta(0)) -> datetime:
        days, hhmm = when
        at = time.fromisoformat(hhmm).replace(tzinfo=story.ZONE)
        return datetime.combine(self.today + timedelta(days=days), at) + plus

    def at(self, when: datetime) -> datetime:
        """From now until the next step, the story's time is ``when`` (and on from there)."""
        real = datetime.now(UTC)
        self.offset = when - real
        self._starts.append((real, self.offset))
        return when

    def finish(self) -> None:
        self.finished = datetime.now(UTC)

    def windows(self) -> list[tuple[datetime, datetime, timedelta]]:
        """(wall-clock start, end, offset) of every step, back to back."""
        end = self.finished or datetime.now(UTC)
        ends = [start for start, _ in self._starts[1:]] + [end + timedelta(seconds=1)]
        return [(start, stop, off) for (start, off), stop in zip(self._starts, ends, strict=True)]


class Story:
    """The loader's state while it plays the history of 金桂苑 (and sets up 银杏苑)."""

    def __init__(self, http: httpx.AsyncClient, admin_token: str, db: Database) -> None:
        self.http = http
        self.db = db
        self.admin = Caller(http, admin_token)
        self.people: dict[str, Caller] = {}
        self.owners: dict[str, Caller] = {}  # owner key → that owner's member, once made
        self.suppliers: dict[str, int] = {}
        self.works: dict[str, int] = {}
        self.quotes: dict[tuple[str, str], int] = {}
        self.clock = StoryClock()
        self.estate_ids: list[int] = []
        self.estate_id = 0  # 金桂苑's
        self.consultation: dict[str, Any] = {}  # the roof consultation as published
        self.pace = 1.0  # wall-clock seconds the 1栋 meeting's ballots took
        self.written_at: datetime | None = None  # when the story was written (wall clock)
        self.needs: dict[str, Any] = {}  # the needs' choice round and tour partner (issue 18)
        self.plan_id = 0  # 金桂苑's approved plan v1
        self.after: dict[str, Any] = {}  # delivery, collection and settlement (issue 19)
        self.auction: dict[str, Any] = {}  # 银杏苑's live auction (issue 20)

    async def play(self) -> dict[str, Caller]:
        """Load both estates, each step at its story time; return the tour's members."""
        token = event_clock.set(self.clock.now)
        try:
            return await self._play()
        finally:
            event_clock.reset(token)
            self.clock.finish()

    async def _play(self) -> dict[str, Caller]:
        clock = self.clock
        clock.at(clock.day(story.ESTATES_SET_UP))
        jg = await self.estate(pop.JINGUI)
        yx = await self.estate(pop.YINXING)
        clock.at(clock.day(story.COMMITTEE_NAMED))
        for person in (
            story.COMMITTEE_CHAIR,
            story.COMMITTEE_MEMBER,
            story.TREASURER,
            story.OBSERVER,
            story.THIRD_MEMBER,
        ):
            self.people[person.key] = await self.member(jg.id, person)
        self.estate_id = jg.id
        self.needs = await play_needs(self, jg)
        await self.negotiate(jg)
        started = timer.monotonic()
        await self.meeting(jg, story.PASSED_MEETING)
        self.pace = timer.monotonic() - started
        await self.fund(jg)
        self.after = await play_after_decision(self, jg, self.plan_id)
        clock.at(clock.day(story.NEIGHBOUR_JOINED))
        await self.neighbour(yx)
        self.auction = await play_auction(self, yx)  # ends at the wall clock (auction_chapter)
        open_meeting = await self.call_meeting(jg, story.OPEN_MEETING)
        roof = story.ROOF_CONSULTATION
        consultation = await self.draft_consultation(jg, roof)
        await self.run_consultation(jg, roof, consultation)
        await self.hold_meeting(jg, story.OPEN_MEETING, open_meeting)
        clock.at(datetime.now(UTC) - timedelta(minutes=3))
        self.people["owner"] = await self.member(
            jg.id, story.TOUR_OWNER, household_ids=jg.units_of(pop.TOUR_OWNER_KEY)
        )
        clock.at(datetime.now(UTC))
        return {
            "committee": self.people["chair"],
            "owner": self.people["owner"],
            "supplier": self.people["builder"],
            "treasurer": self.people["treasurer"],
            "partner": self.needs["partner"],
        }

    async def estate(self, plan: pop.EstatePlan) -> Estate:
        created = await self.admin.post(
            "/api/estates", {"name": plan.name, "district": plan.district}
        )
        estate_id = created["id"]
        self.estate_ids.append(estate_id)
        await self.admin.post(
            f"/api/estates/{estate_id}/households/import",
            content=pop.households_csv(plan).encode(),
            headers={"content-type": "text/csv"},
        )
        buildings = {
            b["name"]: b["id"]
            for b in items(await self.admin.get(f"/api/estates/{estate_id}/buildings"))
        }
        households = items(await self.admin.get(f"/api/estates/{estate_id}/households"))
        return Estate(estate_id, buildings, households)

    async def member(
        self,
        estate_id: int,
        person: story.Person,
        *,
        household_ids: list[int] | None = None,
        supplier_id: int | None = None,
    ) -> Caller:
        body: dict[str, Any] = {"role": person.role, "display_name": person.display_name}
        if household_ids:
            body["household_ids"] = household_ids
        if supplier_id is not None:
            body["supplier_id"] = supplier_id
        created = await self.admin.post(f"/api/estates/{estate_id}/members", body)
        return Caller(self.http, created["token"], created["member_id"])

    async def owner(self, jg: Estate, owner_key: str, name: str) -> Caller:
        """The owner's member (sign-in) over all their flats, made the first time they act."""
        if owner_key not in self.owners:
            self.owners[owner_key] = await self.member(
                jg.id,
                story.Person(owner_key, "owner", f"业主 {name}"),
                household_ids=jg.units_of(owner_key),
            )
        return self.owners[owner_key]

    async def add_works(
        self, estate: Estate, works: tuple[story.Work, ...], chair: Caller, approve: bool
    ) -> None:
        for work in works:
            work_id = self.works.get(work.key)
            if work_id is None:
                created = await chair.post(
                    f"/api/estates/{estate.id}/works", work_body(work, estate)
                )
                work_id = self.works[work.key] = created["id"]
            elif (await chair.get(f"/api/works/{work_id}"))["status"] == "candidate":
                # a candidate from the needs that no round chose: the committee proposes it
                await chair.post(f"/api/works/{work_id}/status", {"status": "proposed"})
            if approve:
                await chair.post(f"/api/works/{work_id}/status", {"status": "approved"})

    async def negotiate(self, jg: Estate) -> None:
        """Suppliers, works, invitations, rounds and counter-offers, then the awards."""
        chair = self.people["chair"]
        clock = self.clock
        clock.at(clock.day(story.WORKS_PROPOSED))
        for name, negotiator in (
            (story.POWER_COMPANY, story.POWER_NEGOTIATOR),
            (story.BUILDER, story.BUILDER_NEGOTIATOR),
        ):
            supplier = await chair.post(f"/api/estates/{jg.id}/suppliers", {"name": name})
            self.suppliers[name] = supplier["id"]
            self.people[negotiator.key] = await self.member(
                jg.id, negotiator, supplier_id=supplier["id"]
            )
        await self.add_works(jg, story.WORKS, chair, approve=True)
        await chair.put(
            f"/api/works/{self.works['power']}/reference-prices",
            {"lines": [{"description": d, "unit_price_fen": p} for d, p in story.POWER_REFERENCE]},
        )
        clock.at(clock.day(story.SUPPLIERS_INVITED))
        for n in story.NEGOTIATIONS:
            await chair.post(
                f"/api/works/{self.works[n.work]}/invitations",
                {"supplier_id": self.suppliers[n.supplier]},
            )
        for turn in range(max(len(n.rounds) for n in story.NEGOTIATIONS)):
            for later, n in enumerate(story.NEGOTIATIONS):
                if turn < len(n.rounds):
                    day = (story.ROUND_DAYS[turn] + later, story.ROUND_TIME)
                    clock.at(clock.day(day))
                    await self.quote_round(n, turn)
            for later, n in enumerate(story.NEGOTIATIONS):
                if turn < len(n.counters):
                    day = (story.COUNTER_DAYS[turn] + later, story.COUNTER_TIME)
                    clock.at(clock.day(day))
                    target, note = n.counters[turn]
                    quote_id = self.quotes[(n.work, n.supplier)]
                    await chair.post(
                        f"/api/quotes/{quote_id}/counter-offers",
                        {"target_total_fen": target, "note": note},
                    )
        clock.at(clock.day(story.AWARDED))
        for n in story.NEGOTIATIONS:
            if n.award_last:
                quote_id = self.quotes[(n.work, n.supplier)]
                await chair.post(f"/api/quotes/{quote_id}/award", {"round": len(n.rounds)})

    async def quote_round(self, n: story.Negotiation, turn: int) -> None:
        negotiator = self.people["power" if n.supplier == story.POWER_COMPANY else "builder"]
        final = n.award_last and turn == len(n.rounds) - 1
        lines = story.lines_for(n.lines, n.rounds[turn])
        if turn == 0:
            quote = await negotiator.post(
                f"/api/works/{self.works[n.work]}/quotes", {"lines": lines, "is_final": final}
            )
            self.quotes[(n.work, n.supplier)] = quote["id"]
        else:
            quote_id = self.quotes[(n.work, n.supplier)]
            quote = await negotiator.post(
                f"/api/quotes/{quote_id}/rounds",
                {"based_on_round": turn, "lines": lines, "is_final": final},
            )
        if quote["rounds"][-1]["total_fen"] != n.rounds[turn]:
            got = quote["rounds"][-1]["total_fen"]
            raise DemoLoadError(f"round {turn + 1} of {n.work}/{n.supplier} totals {got}")

    async def meeting(self, jg: Estate, spec: story.Meeting) -> None:
        """A building meeting with one motion; its owners vote as the spec says."""
        await self.hold_meeting(jg, spec, await self.call_meeting(jg, spec))

    def held_at(self, spec: story.Meeting) -> datetime:
        if spec.held is None:  # in session now
            start = datetime.now(UTC) - timedelta(minutes=spec.minutes_ago)
            return start.replace(minute=start.minute // 5 * 5, second=0, microsecond=0)
        return self.clock.day(spec.held)

    async def call_meeting(self, jg: Estate, spec: story.Meeting) -> dict[str, Any]:
        """The meeting is called (created) on its day, for its scheduled time."""
        self.clock.at(self.clock.day(spec.called))
        meeting: dict[str, Any] = await self.people["chair"].post(
            f"/api/estates/{jg.id}/meetings",
            {
                "title": spec.title,
                "kind": "building_meeting",
                "scope_building_ids": [jg.buildings[spec.building]],
                "agenda": list(spec.agenda),
                "scheduled_at": self.held_at(spec).isoformat(),
            },
        )
        return meeting

    async def hold_meeting(self, jg: Estate, spec: story.Meeting, meeting: dict[str, Any]) -> None:
        """The meeting sits at its scheduled time: the motion, the ballots, the close."""
        chair = self.people["chair"]
        clock = self.clock
        held = datetime.fromisoformat(meeting["scheduled_at"])
        clock.at(held)
        await chair.post(f"/api/meetings/{meeting['id']}/open")
        clock.at(held + timedelta(minutes=3))
        body: dict[str, Any] = {
            "title": spec.motion_title,
            "matter": spec.matter,
            "text": spec.motion_text,
        }
        if spec.work:
            body["work_id"] = self.works[spec.work]
        motion = await chair.post(f"/api/meetings/{meeting['id']}/motions", body)
        clock.at(held + timedelta(minutes=5))
        await chair.post(f"/api/motions/{motion['id']}/open")
        ended = await self.cast_votes(jg, spec, meeting["id"], motion["id"], held)
        if spec.close:
            clock.at(ended + timedelta(minutes=6))
            await chair.post(f"/api/motions/{motion['id']}/close")
            clock.at(ended + timedelta(minutes=12))
            await chair.post(f"/api/meetings/{meeting['id']}/close")
            tally = await chair.get(f"/api/motions/{motion['id']}/tally")
            if not tally["passed"]:
                raise DemoLoadError(f"the motion {spec.motion_title} did not pass: {tally}")

    async def cast_votes(
        self, jg: Estate, spec: story.Meeting, meeting_id: int, motion_id: int, held: datetime
    ) -> datetime:
        """The owners' ballots, one every ``spec.ballot_every_s`` from 10 minutes into the
        meeting; returns the story time of the last."""
        persons = jg.persons_in(spec.building)
        keys = sorted(k for k in persons if k != pop.TOUR_OWNER_KEY)
        rng = random.Random(f"{spec.building}:{spec.matter}")  # noqa: S311 (reproducible)
        rng.shuffle(keys)
        vote = spec.vote
        choices = ["yes"] * vote.yes + ["no"] * vote.no + ["abstain"] * vote.abstain
        proxy = self.people["member"]
        when = held + timedelta(minutes=10)
        for i, (key, choice) in enumerate(zip(keys, choices, strict=False)):
            when = held + timedelta(minutes=10, seconds=i * spec.ballot_every_s)
            self.clock.at(when)
            units = [h["id"] for h in persons[key]]
            if choice == "yes" and i < vote.proxied:
                await self.people["chair"].post(
                    f"/api/estates/{jg.id}/delegations",
                    {
                        "household_ids": units,
                        "proxy_member_id": proxy.member_id,
                        "reference": f"书面委托书 {spec.building}-{i + 1:03d}",
                        "meeting_id": meeting_id,
                    },
                )
                await proxy.post(
                    f"/api/motions/{motion_id}/ballots", {"choice": "yes", "household_ids": units}
                )
                continue
            owner = await self.owner(jg, key, persons[key][0]["owner_name"])
            if choice == "yes" and vote.proxied <= i < vote.proxied + vote.changed:
                await owner.post(
                    f"/api/motions/{motion_id}/ballots", {"choice": "no", "household_ids": units}
                )
            await owner.post(
                f"/api/motions/{motion_id}/ballots", {"choice": choice, "household_ids": units}
            )
        return when

    async def fund(self, jg: Estate) -> None:
        """Sources, one solve over the public-part works, the treasurer's approval."""
        treasurer = self.people["treasurer"]
        clock = self.clock
        for i, source in enumerate(story.SOURCES):
            clock.at(clock.day(story.SOURCES_ADDED, timedelta(minutes=12 * i)))
            body: dict[str, Any] = {
                "name": source.name,
                "kind": source.kind,
                "budget_fen": source.budget_fen,
                "eligible_work_ids": [self.works[k] for k in source.works],
            }
            if source.max_share is not None:
                body["max_share"] = source.max_share
            await treasurer.post(f"/api/estates/{jg.id}/funding-sources", body)
        clock.at(clock.day(story.PLAN_SOLVED))
        plan = await treasurer.post(
            f"/api/estates/{jg.id}/funding-plans",
            {
                "policy": "minimum",
                "resident_band": BAND,
                "work_ids": [self.works[k] for k in story.PLAN_WORKS],
            },
        )
        low, high = RESIDENTS_RANGE_FEN
        if not low <= plan["residents_total_fen"] <= high:
            raise DemoLoadError(f"residents would pay {plan['residents_total_fen']} fen")
        clock.at(clock.day(story.PLAN_APPROVED))
        await treasurer.post(f"/api/funding-plans/{plan['id']}/approve")
        self.plan_id = plan["id"]
        clock.at(clock.day(story.PLAN_APPROVED, timedelta(minutes=20)))
        due = clock.day(story.PLAN_APPROVED) + story.PAYMENT_DUE_AFTER
        await treasurer.put(
            f"/api/funding-plans/{plan['id']}/payment-instructions",
            {**story.PAYMENT_INSTRUCTIONS, "due_date": due.date().isoformat()},
        )
        clock.at(clock.day(story.PLAN_APPROVED, timedelta(days=1)))
        await self.people["chair"].post(
            f"/api/works/{self.works['pipes']}/status", {"status": "funded"}
        )

    async def neighbour(self, yx: Estate) -> None:
        """银杏苑: households, its committee chair and two proposed works, nothing decided yet."""
        chair = self.people[story.YX_CHAIR.key] = await self.member(yx.id, story.YX_CHAIR)
        await self.add_works(yx, story.YX_WORKS, chair, approve=False)

    # -- the 5栋 roof by written consultation (issue 17) ----------------------------------

    def closing_window(self) -> timedelta:
        """How long after its drafting (wall clock) the consultation closes. After the
        drafting the load writes the consultation's week (fast: about a tenth of the 1栋
        meeting's ``self.pace`` seconds) and then the 5栋 meeting's session (about half of
        it). Four fifths of the pace and 5 s close it some seconds after the story is written,
        with a wide margin for the consultation's last paper entry. Should the 5栋 meeting
        take longer, the close waits for the story (the schedule is held until then) and
        comes at once after it, still by itself."""
        return timedelta(seconds=0.8 * self.pace + 5)

    async def draft_consultation(self, jg: Estate, spec: story.Consultation) -> dict[str, Any]:
        """Drafted with its motion, then published: the notice period starts.

        Its ``opens_at`` is a story date (``notice_days`` after publication); its
        ``closes_at`` is real: a few seconds after the load will have written its ballots.
        The demo holds its instance's schedule while it plays (``planner.demo.command``) and
        opens the consultation itself at ``opens_at`` on the story clock; the schedule, back
        once the story is written, closes it by itself."""
        chair = self.people["chair"]
        clock = self.clock
        clock.at(clock.day(spec.drafted))
        closes_at = datetime.now(UTC) + self.closing_window()
        created = await chair.post(
            f"/api/estates/{jg.id}/consultations",
            {
                "title": spec.title,
                "scope_building_ids": [jg.buildings[spec.building]],
                "opens_at": clock.day(spec.opens).isoformat(),
                "closes_at": closes_at.isoformat(),
                "both_channels": "last",
                "motions": [
                    {
                        "title": spec.motion_title,
                        "matter": spec.matter,
                        "text": spec.motion_text,
                        "work_id": self.works[spec.work],
                    }
                ],
            },
        )
        clock.at(clock.day(spec.published))
        published: dict[str, Any] = await chair.post(f"/api/consultations/{created['id']}/publish")
        self.consultation = published
        return published

    async def open_consultation(self, consultation_id: int) -> None:
        """The schedule's opening step, taken on the story clock (the loader's context)."""
        async with self.db.transaction() as conn:
            row = await consultation_store.lock(conn, consultation_id)
            if row is not None and row.status == "open":
                # Another instance's schedule on the same database took the step in the
                # moment since the publication (dated by the wall clock, not the story's).
                return
            if row is None or row.status != "noticed":
                raise DemoLoadError(f"consultation {consultation_id} is not waiting to open")
            await consultation_service.open_in(conn, row)

    async def run_consultation(
        self, jg: Estate, spec: story.Consultation, consultation: dict[str, Any]
    ) -> None:
        """The voting week: phones, a proxy holder's split, then the paper sheets."""
        clock = self.clock
        consultation_id = consultation["id"]
        motion_id = consultation["motions"][0]["id"]
        persons = jg.persons_in(spec.building)
        keys = sorted(k for k in persons if k != pop.TOUR_OWNER_KEY)
        rng = random.Random(f"{spec.building}:consultation")  # noqa: S311 (reproducible)
        rng.shuffle(keys)
        online = spec.online
        choices = ["yes"] * online.yes + ["no"] * online.no + ["abstain"] * online.abstain
        rng.shuffle(choices)
        voters = keys[: len(choices)]
        represented = keys[len(choices) : len(choices) + len(spec.proxy_choices)]
        on_paper = keys[len(voters) + len(represented) :][: len(spec.paper)]
        await self.deliver_notices(consultation_id, spec, persons, [*represented, *on_paper])
        clock.at(clock.day(spec.opens))
        await self.open_consultation(consultation_id)
        # The phones' ballots spread over the week's waking hours, up to the evening the
        # committee starts typing in the paper sheets.
        opens = clock.day(spec.opens)
        first_day = opens.date()
        days = (clock.day(spec.first_entries).date() - first_day).days
        times = sorted(
            max(
                opens + timedelta(minutes=5),
                datetime.combine(
                    first_day + timedelta(days=i * days // len(voters)),
                    time(7, 30, tzinfo=story.ZONE),
                )
                + timedelta(minutes=rng.randrange(0, 14 * 60)),
            )
            for i in range(len(voters))
        )
        proxy_at = clock.day(spec.proxy_day)
        proxied = False
        for i, (key, choice, planned) in enumerate(zip(voters, choices, times, strict=True)):
            if not proxied and planned >= proxy_at and i > 0:
                await self.proxy_split(jg, spec, consultation_id, motion_id, voters[0], represented)
                proxied = True
            when = clock.at(max(planned, clock.now()))  # never before the step just taken
            owner = await self.owner(jg, key, persons[key][0]["owner_name"])
            await owner.get(f"/api/consultations/{consultation_id}")  # reads the notice
            body = {
                "choice": choice,
                "household_ids": [h["id"] for h in persons[key]],
                "idempotency_key": f"phone-{motion_id}-{key}",
            }
            cast = await owner.post(f"/api/motions/{motion_id}/ballots", body)
            if i == spec.retried:  # a bad network: the phone sends it again, same key
                clock.at(when + timedelta(seconds=20))
                again = await owner.post(f"/api/motions/{motion_id}/ballots", body)
                if not again.get("replayed") or again["ballots"] != cast["ballots"]:
                    raise DemoLoadError(f"a retried ballot was recorded twice: {again}")
        if not proxied:
            await self.proxy_split(jg, spec, consultation_id, motion_id, voters[0], represented)
        await self.paper_sheets(jg, spec, consultation_id, motion_id, on_paper)

    async def deliver_notices(
        self,
        consultation_id: int,
        spec: story.Consultation,
        persons: dict[str, list[dict[str, Any]]],
        keys: list[str],
    ) -> None:
        """The evening before the last notice day, 李秀英 takes the printed notice to the owners
        who do not use the phone (the proxies' principals and the paper voters) and records
        each delivery."""
        clock, member = self.clock, self.people["member"]
        start = clock.day(spec.opens, timedelta(days=-2, hours=-14))
        for n, key in enumerate(keys):
            clock.at(start + timedelta(minutes=7 * n))
            await member.post(
                f"/api/consultations/{consultation_id}/deliveries",
                {
                    "household_id": persons[key][0]["id"],
                    "channel": "paper",
                    "note": "上门送达纸质公告",
                },
            )

    async def proxy_split(
        self,
        jg: Estate,
        spec: story.Consultation,
        consultation_id: int,
        motion_id: int,
        holder_key: str,
        represented: list[str],
    ) -> None:
        """Two owners give the same neighbour written proxies; she votes differently for each."""
        clock = self.clock
        persons = jg.persons_in(spec.building)
        holder = self.owners[holder_key]
        clock.at(clock.day(spec.proxy_day))
        for n, (key, choice) in enumerate(zip(represented, spec.proxy_choices, strict=True)):
            units = [h["id"] for h in persons[key]]
            await self.people["chair"].post(
                f"/api/estates/{jg.id}/delegations",
                {
                    "household_ids": units,
                    "proxy_member_id": holder.member_id,
                    "reference": f"书面委托书 {spec.building}-征求意见-{n + 1:02d}",
                    "meeting_id": consultation_id,
                },
            )
            clock.at(clock.day(spec.proxy_day, timedelta(minutes=5 + 5 * n)))
            await holder.post(
                f"/api/motions/{motion_id}/ballots",
                {
                    "choice": choice,
                    "household_ids": units,
                    "idempotency_key": f"proxy-{motion_id}-{key}",
                },
            )

    async def paper_sheets(
        self,
        jg: Estate,
        spec: story.Consultation,
        consultation_id: int,
        motion_id: int,
        on_paper: list[str],
    ) -> None:
        """The signed paper sheets, collected door to door, photographed and typed in twice:
        the chair one evening, 李秀英 the next morning; the sheet she read differently is
        flagged and the third member's entry, with both entries and the photo before him,
        resolves it."""
        clock = self.clock
        chair, member, third = (self.people[k] for k in ("chair", "member", "member3"))
        sheets = await chair.get(f"/api/consultations/{consultation_id}/sheets")
        by_unit = {h: s["code"] for s in items(sheets) for h in s["household_ids"]}
        persons = jg.persons_in(spec.building)
        code = {key: by_unit[persons[key][0]["id"]] for key in on_paper}
        entries = f"/api/consultations/{consultation_id}/paper-entries"
        clock.at(clock.day(spec.first_entries, timedelta(minutes=-30)))
        photo: dict[str, str] = {}  # each signed sheet photographed once, by content hash
        for key, choice in zip(on_paper, spec.paper, strict=True):
            uploaded = await chair.post(
                f"/api/estates/{jg.id}/photos",
                content=sheet_photo(key, [choice]),
                headers={"content-type": "image/png"},
            )
            photo[key] = uploaded["sha256"]

        def entry_of(key: str, choice: str) -> dict[str, Any]:
            return {
                "code": code[key],
                "choices": [{"motion_id": motion_id, "choice": choice}],
                "photo_sha256": photo[key],
            }

        for rounds, (who, day) in enumerate(
            ((chair, spec.first_entries), (member, spec.second_entries))
        ):
            for n, (key, choice) in enumerate(zip(on_paper, spec.paper, strict=True)):
                clock.at(clock.day(day, timedelta(minutes=3 * n)))
                typed = spec.mistyped if rounds == 1 and n == spec.mismatch else choice
                entry = await who.post(entries, entry_of(key, typed))
                expected = ("awaiting_second",) if rounds == 0 else ("counted", "mismatch")
                if entry["state"] not in expected or (
                    rounds == 1 and (entry["state"] == "mismatch") != (n == spec.mismatch)
                ):
                    raise DemoLoadError(f"paper sheet {n + 1}: {entry}")
        clock.at(clock.day(spec.third_entry))
        key = on_paper[spec.mismatch]
        flagged = items(await third.get(f"{entries}?state=mismatch"))
        if [s["code"] for s in flagged] != [code[key]]:
            raise DemoLoadError(f"the flagged sheets are {flagged}")
        resolved = await third.post(entries, entry_of(key, spec.paper[spec.mismatch]))
        if resolved["state"] != "counted":
            raise DemoLoadError(f"the third entry did not resolve the sheet: {resolved}")

    async def conclude(self) -> dict[str, Any]:
        """After the load (the schedule running again): wait until the consultation closes
        by itself at ``closes_at``, check it passed, and have the chair publish the result
        announcement. Returns the consultation as announced."""
        chair = self.people["chair"]
        consultation_id = self.consultation["id"]
        self.written_at = datetime.now(UTC)
        closes_at = datetime.fromisoformat(self.consultation["closes_at"])
        deadline = max(closes_at, datetime.now(UTC)) + timedelta(seconds=60)
        while True:
            found: dict[str, Any] = await chair.get(f"/api/consultations/{consultation_id}")
            if found["status"] == "closed":
                break
            if datetime.now(UTC) > deadline:
                raise DemoLoadError(f"the consultation did not close by itself: {found}")
            await asyncio.sleep(0.2)
        if found["closed_by"] is not None:
            raise DemoLoadError(f"the consultation was closed by member {found['closed_by']}")
        for motion in found["motions"]:
            tally = await chair.get(f"/api/motions/{motion['id']}/tally")
            if not tally["passed"]:
                raise DemoLoadError(f"the motion {motion['title']} did not pass: {tally}")
        announced: dict[str, Any] = await chair.post(
            f"/api/consultations/{consultation_id}/announce"
        )
        self.consultation = announced
        return {**announced, "story_written_at": self.written_at.isoformat()}
