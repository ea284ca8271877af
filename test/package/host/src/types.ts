// The host's own User fields and id type, declared once: req.user, events and the router's helpers use them.
declare module 'express-workos-login' {
  interface HostUser {
    id: string;
    displayName: string;
  }
}

export {};
