/**
 * Who did what, in the log: every event the HTTP API submits carries the
 * name of the token its request was authenticated with
 * (`everynodeuser: alice`), whichever route submitted it — a resource
 * write, `POST /events` — so no route has to pass the user along. The
 * request's user is held in an `AsyncLocalStorage` for the time its
 * handler runs, and the ingress the routes are given reads it there.
 * A client never names the user itself: an `everynodeuser` it sends is
 * replaced, or dropped when the API runs without authentication.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { UserAttribute } from '@everynode/api';
import type { EventIngress } from '@everynode/engine';

const currentUser = new AsyncLocalStorage<string | undefined>();

/** Run `handler` as `user` (undefined: nobody authenticated): events it submits are recorded as that user's. */
export function runAs<T>(user: string | undefined, handler: () => T): T {
  return currentUser.run(user, handler);
}

/** `event` with `everynodeuser` set to `user`, or without it when there is none; anything but an object is left alone (admission refuses it). */
export function attributed(event: unknown, user: string | undefined): unknown {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return event;
  const { [UserAttribute]: _claimed, ...rest } = event as Record<string, unknown>;
  return user === undefined ? rest : { ...rest, [UserAttribute]: user };
}

/** `ingress`, recording the current request's user on every event submitted through it. */
export function attributedIngress(ingress: EventIngress): EventIngress {
  return {
    submit: (events, options) => {
      const user = currentUser.getStore();
      return ingress.submit(
        events.map((event) => attributed(event, user)),
        options,
      );
    },
    park: (message, reason, origin) => ingress.park(message, reason, origin),
    backlog: () => ingress.backlog(),
  };
}
