"""Write safety: what every write endpoint of the back end goes through.

* `audit` - `record_audit(session, actor=, action=, account_id=, conversation_id=, reason=,
  details=, now=)`: who (`actors`: `bot` or `agent:<id>`), what, when, why, which conversation;
  `audit_write(session, ctx, action=, reason=, details=)` takes those from a `WriteContext`.
* `idempotency` - `replay(session, request)` then `commit_once(session, request, now, status,
  body)`: the first successful answer to an `Idempotency-Key` is stored with the write and
  replayed for retries; the same key with another request is a 409 `idempotency_conflict`.
* `step_up` - one-time codes to a masked contact on file; `require_step_up(session, ctx)` before
  anything that moves money or changes a contract (403 `step_up_required`).
* `outbox` - messages to customers, stored with the write that caused them, then offered to a
  pluggable `MessageSender` (the default keeps them for `bot outbox`).
* `context` - `WriteContext` (account, conversation, now, actor, idempotency key), built by
  `bot.api.idempotency.WriteCtx` / `IdempotentWriteCtx` for routes.
* `masking`, `models`, `types`, `schemas` - helpers, tables, enumerations, API bodies.

A write service, end to end (the route passes `ctx: IdempotentWriteCtx` and returns
`as_response(...)` from `bot.api.idempotency`):

    def credit_finding(session: Session, ctx: WriteContext, ...) -> StoredResponse:
        stored = replay(session, ctx.idempotency)
        if stored is not None:
            return stored
        ...load and check (raise BotError subclasses: nothing is stored)...
        require_step_up(session, ctx)
        session.add(...)
        audit_write(session, ctx, action="finding.credited", ...)
        return commit_once(session, ctx.idempotency, ctx.now, 201, CreditOut(...))
"""
