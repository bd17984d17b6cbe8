// Several clients on one machine: every address of 127.0.0.0/8 is loopback on Linux,
// so a socket bound to 127.0.0.2, 127.0.0.3, ... reaches the server as another client
// (its peer address differs), which is what the server's per-client budgets key on.
// 127.0.0.1 is the server's own machine (the teacher's, for budgets), so students
// start at 127.0.0.2.

/** The address of student `n` (0-based): 127.0.0.2, 127.0.0.3, ..., 127.0.1.0, ... */
export function student(n) {
  const host = n + 2;
  return `127.0.${(host >> 8) & 255}.${host & 255}`;
}
