"""A consultation's outreach over HTTP: the printable notice and announcement, notice
deliveries and the door-to-door list, live turnout, and the public pages (no sign-in).

The public routes (``/api/public/consultations/{public_token}``...) take no principal: the
access middleware lets requests without credentials through and only the ``principal``
dependency answers 401, so these answer anyone who has the unguessable token (404 for an
unknown one or a draft). The public address printed in QR codes is ``PLANNER_PUBLIC_URL``
when set, else the request's own scheme and host (the scheme as a trusted proxy forwarded it).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from planner.consultation import outreach
from planner.consultation.outreach_model import (
    ConsultationTurnout,
    DeliveryList,
    NewDelivery,
    OwnerDelivery,
    PublicConsultation,
)
from planner.consultation.pages import render_announcement, render_notice, render_unreached
from planner.consultation.print_rules import Lang
from planner.deps import DbDep, PrincipalDep, SettingsDep
from planner.settings import Settings

AnyRequest = Request[Any, Any, Any]


def public_base(request: AnyRequest, settings: Settings) -> str:
    """Where the web app is reached: the configured public URL, else this request's origin."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


class OutreachController(Controller):
    tags = ["consultation"]

    @get("/api/consultations/{consultation_id:int}/notice.html", media_type=MediaType.HTML)
    async def notice_html(
        self,
        consultation_id: FromPath[int],
        request: AnyRequest,
        principal: PrincipalDep,
        db: DbDep,
        settings: SettingsDep,
        lang: FromQuery[Lang] = "zh",
    ) -> str:
        """The printable notice (A4); members once published, the committee also as a draft
        preview. An owner's first opening counts as the notice's delivery."""
        base = public_base(request, settings)
        return render_notice(await outreach.notice(db, principal, consultation_id, base), lang)

    @get("/api/consultations/{consultation_id:int}/announcement.html", media_type=MediaType.HTML)
    async def announcement_html(
        self,
        consultation_id: FromPath[int],
        request: AnyRequest,
        principal: PrincipalDep,
        db: DbDep,
        settings: SettingsDep,
        lang: FromQuery[Lang] = "zh",
    ) -> str:
        """The result announcement: the committee's once closed (marked draft until
        announced), the members' once announced; 409 not_yet_available before."""
        base = public_base(request, settings)
        found = await outreach.announcement(db, principal, consultation_id, base)
        return render_announcement(found, lang)

    @get("/api/consultations/{consultation_id:int}/turnout")
    async def turnout(
        self, consultation_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> ConsultationTurnout:
        """Live turnout by area and head count: overall, per building, per channel, and each
        motion's tally (choices only for an open ballot or after the close)."""
        return await outreach.live_turnout(db, principal, consultation_id)

    @get("/api/consultations/{consultation_id:int}/deliveries")
    async def deliveries(
        self, consultation_id: FromPath[int], principal: PrincipalDep, db: DbDep
    ) -> DeliveryList:
        """Committee: per owner, how the notice reached them and whether they voted."""
        return await outreach.deliveries(db, principal, consultation_id)

    @post("/api/consultations/{consultation_id:int}/deliveries", status_code=HTTP_201_CREATED)
    async def record_delivery(
        self,
        consultation_id: FromPath[int],
        data: JSONBody[NewDelivery],
        principal: PrincipalDep,
        db: DbDep,
    ) -> OwnerDelivery:
        """Committee: the notice was handed to an owner on paper (who and when are kept)."""
        return await outreach.record_paper(db, principal, consultation_id, data)

    @get("/api/consultations/{consultation_id:int}/unreached.html", media_type=MediaType.HTML)
    async def unreached_html(
        self,
        consultation_id: FromPath[int],
        principal: PrincipalDep,
        db: DbDep,
        lang: FromQuery[Lang] = "zh",
    ) -> str:
        """Committee: the printable door-to-door list per building of the owners not reached
        or not voted on every matter."""
        return render_unreached(await outreach.unreached(db, principal, consultation_id), lang)

    @get("/api/public/consultations/{public_token:str}")
    async def public(self, public_token: FromPath[str], db: DbDep) -> PublicConsultation:
        """No sign-in: the notice, status, turnout and, after the close, each motion's result;
        no names and no unit's choice."""
        return await outreach.public(db, public_token)

    @get("/api/public/consultations/{public_token:str}/notice.html", media_type=MediaType.HTML)
    async def public_notice_html(
        self,
        public_token: FromPath[str],
        request: AnyRequest,
        db: DbDep,
        settings: SettingsDep,
        lang: FromQuery[Lang] = "zh",
    ) -> str:
        """No sign-in: the printable notice of a published consultation."""
        base = public_base(request, settings)
        return render_notice(await outreach.public_notice(db, public_token, base), lang)

    @get(
        "/api/public/consultations/{public_token:str}/announcement.html",
        media_type=MediaType.HTML,
    )
    async def public_announcement_html(
        self,
        public_token: FromPath[str],
        request: AnyRequest,
        db: DbDep,
        settings: SettingsDep,
        lang: FromQuery[Lang] = "zh",
    ) -> str:
        """No sign-in: the result announcement once announced (409 before)."""
        base = public_base(request, settings)
        found = await outreach.public_announcement(db, public_token, base)
        return render_announcement(found, lang)


route_handlers = [OutreachController]
