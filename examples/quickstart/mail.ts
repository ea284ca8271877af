// Stands in for the host's mailer: the quick-start test reads what was "sent".
export const outbox: { to: string; subject: string; body: string }[] = [];

export async function sendMail(to: string, subject: string, body: string): Promise<void> {
  outbox.push({ to, subject, body });
}
