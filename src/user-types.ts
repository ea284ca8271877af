// How hosts type their users. The library works with whatever `User.id` the host's schema has (an autoincrement
// integer, or a uuid / cuid string); a host that declares its id type and its own fields once, by augmenting
// `HostUser`, gets them typed on `req.user`, in events and in the methods that take a user id.

/**
 * Your own `User` fields, and the type of `User.id`, declared once in your app:
 *
 * ```ts
 * declare module 'express-workos-login' {
 *   interface HostUser {
 *     id: string; // your User.id (default: number | string)
 *     locationId: string | null;
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HostUser {}

/** The type of `User.id`: `HostUser['id']` when the host declares it, else a number or a string. */
export type UserId = HostUser extends { id: infer I extends number | string } ? I : number | string;

/** A user id as sessions and states store it: a safe integer, or a non-empty string of at most 200 characters. */
export function isUserId(value: unknown): value is UserId {
  return (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'string' && value.length > 0 && value.length <= 200);
}
