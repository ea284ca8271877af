// The example's own User fields (prisma/example.prisma), typed on req.user and in the events.
declare module 'express-workos-login' {
  interface HostUser {
    locationId: number | null; // a field of your own User model
  }
}

export {};
