"""HTTP routes of the users service: parse, call one use case, answer a schema."""

from __future__ import annotations

import uuid
from math import ceil
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from mercato.kit.auth import AdminPrincipal, CurrentPrincipal, require_service_token
from mercato.kit.deps import KV, AppSettings, ReadSession, Session
from mercato.users import (
    administration,
    authentication,
    credentials,
    emails,
    profile,
    registration,
    sessions,
)
from mercato.users.deps import Client, SignKey, WakeMailer
from mercato.users.models import User
from mercato.users.schemas import (
    JWKS,
    ChangePasswordRequest,
    InternalUserOut,
    LoginRequest,
    LogoutRequest,
    MeUpdate,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPairOut,
    UserAdminUpdate,
    UserOut,
    UserPage,
    VerifyEmailRequest,
)

auth = APIRouter(prefix="/api/auth", tags=["auth"])
users = APIRouter(prefix="/api/users", tags=["users"])
keys = APIRouter(tags=["keys"])
internal = APIRouter(
    prefix="/internal/users",
    tags=["internal"],
    dependencies=[Depends(require_service_token)],
)


def _pair(pair: sessions.TokenPair) -> TokenPairOut:
    return TokenPairOut(
        user=UserOut.model_validate(pair.user),
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
    )


def _user(user: User) -> UserOut:
    return UserOut.model_validate(user)


@auth.post("/register", status_code=status.HTTP_201_CREATED)
async def register(
    body: RegisterRequest, session: Session, settings: AppSettings, key: SignKey, mail: WakeMailer
) -> TokenPairOut:
    pair = await registration.register(session, settings, key, body)
    mail()
    return _pair(pair)


@auth.post("/login")
async def login(
    body: LoginRequest,
    session: Session,
    settings: AppSettings,
    key: SignKey,
    kv: KV,
    client: Client,
) -> TokenPairOut:
    pair = await authentication.log_in(
        session, settings, key, kv, email=body.email, password=body.password, client=client
    )
    return _pair(pair)


@auth.post("/refresh")
async def refresh(
    body: RefreshRequest, session: Session, settings: AppSettings, key: SignKey
) -> TokenPairOut:
    return _pair(await sessions.rotate_refresh_token(session, settings, key, body.refresh_token))


@auth.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    principal: CurrentPrincipal, session: Session, kv: KV, body: LogoutRequest | None = None
) -> None:
    await authentication.log_out(session, kv, principal, body.refresh_token if body else None)


@auth.get("/me")
async def read_me(principal: CurrentPrincipal, session: ReadSession) -> UserOut:
    return UserOut.model_validate(await profile.active_account(session, principal.user_id))


@auth.patch("/me")
async def update_me(body: MeUpdate, principal: CurrentPrincipal, session: Session) -> UserOut:
    return _user(await profile.update_me(session, principal.user_id, body))


@auth.post("/change-password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(
    body: ChangePasswordRequest,
    principal: CurrentPrincipal,
    session: Session,
    settings: AppSettings,
    kv: KV,
    client: Client,
) -> None:
    await credentials.change_password(
        session,
        settings,
        kv,
        principal,
        current_password=body.current_password,
        new_password=body.new_password,
        client=client,
    )


@auth.post("/password-reset", status_code=status.HTTP_202_ACCEPTED, response_class=Response)
async def request_password_reset(
    body: PasswordResetRequest, session: Session, settings: AppSettings, mail: WakeMailer
) -> None:
    await credentials.request_password_reset(session, settings, body.email)
    mail()


@auth.post("/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
async def confirm_password_reset(
    body: PasswordResetConfirm, session: Session, settings: AppSettings, kv: KV
) -> None:
    await credentials.confirm_password_reset(
        session, settings, kv, token=body.token, new_password=body.new_password
    )


@auth.post("/verify-email", status_code=status.HTTP_204_NO_CONTENT)
async def verify_email(body: VerifyEmailRequest, session: Session) -> None:
    await registration.verify_email(session, body.token)


@auth.post("/verify-email/resend", status_code=status.HTTP_202_ACCEPTED, response_class=Response)
async def resend_verification(
    principal: CurrentPrincipal, session: Session, settings: AppSettings, mail: WakeMailer
) -> None:
    await registration.resend_verification(session, settings, principal.user_id)
    mail()


@users.get("")
async def list_users(
    _: AdminPrincipal,
    session: ReadSession,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> UserPage:
    found, total = await administration.list_users(session, q, page, limit)
    return UserPage(
        items=[_user(user) for user in found],
        total=total,
        page=page,
        limit=limit,
        pages=ceil(total / limit),
    )


@users.patch("/{user_id}")
async def update_user(
    user_id: Annotated[str, Path(max_length=64)],
    body: UserAdminUpdate,
    admin: AdminPrincipal,
    session: Session,
    settings: AppSettings,
    kv: KV,
) -> UserOut:
    return _user(await administration.update_user(session, settings, kv, admin, user_id, body))


@keys.get("/.well-known/jwks.json")
async def jwks(request: Request, response: Response) -> JWKS:
    # Verifiers may cache it briefly; they refetch anyway on a `kid` they do not know.
    response.headers["Cache-Control"] = "public, max-age=300"
    return JWKS(keys=[request.app.state.signing_key.public_jwk()])


@internal.get("/{user_id}")
async def read_user_contact(user_id: uuid.UUID, session: ReadSession) -> InternalUserOut:
    return InternalUserOut.model_validate(await emails.mail_contact(session, str(user_id)))
