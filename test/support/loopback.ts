// Loopback client addresses for simulated browsers: each gets its own (127.1.0.1, 127.1.0.2, …), as real clients
// have, so per-IP limits see many clients instead of one. Linux routes all of 127.0.0.0/8 to loopback.
let next = 0;

export function nextLoopbackAddress(): string {
  const n = next++;
  return `127.1.${Math.floor(n / 250)}.${1 + (n % 250)}`;
}
