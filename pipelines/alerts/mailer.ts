import { CxpError } from '../core/errors.js';
import type { SmtpSettings } from './alert-rules.js';

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** Stable per notification, so a re-send after a crash is recognisable as the same message. */
  messageId: string;
}

export type MailOutcome = { kind: 'delivered' | 'retry' | 'dead'; statusCode: number | null; error: string | null };

/** Sends through the configured SMTP server; 5xx replies are permanent, 4xx and network errors are retried. */
export async function sendMail(smtp: SmtpSettings, mail: Mail, env: Record<string, string | undefined>): Promise<MailOutcome> {
  const password = smtp.passwordEnv ? env[smtp.passwordEnv] : undefined;
  if (smtp.passwordEnv && !password) {
    throw new CxpError('CXP_ERR_CONFIG_INVALID', `SMTP password variable ${smtp.passwordEnv} is not set`, {
      where: 'alerts.smtp.passwordEnv',
      hint: `set ${smtp.passwordEnv} in the environment of cxpulse; the e-mails stay pending until then`,
    });
  }
  // Loaded on the first e-mail: most runs send none.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTLS,
    auth: smtp.user ? { user: smtp.user, pass: password ?? '' } : undefined,
    connectionTimeout: smtp.timeoutSeconds * 1000,
    greetingTimeout: smtp.timeoutSeconds * 1000,
    socketTimeout: smtp.timeoutSeconds * 1000,
  });
  try {
    await transport.sendMail({ from: smtp.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: mail.messageId });
    return { kind: 'delivered', statusCode: 250, error: null };
  } catch (err) {
    const e = err as Error & { responseCode?: number; code?: string };
    const code = typeof e.responseCode === 'number' ? e.responseCode : null;
    const error = `SMTP ${code ?? e.code ?? 'error'}: ${e.message.slice(0, 200)}`;
    return code !== null && code >= 500 ? { kind: 'dead', statusCode: code, error: `${error} (not retried: the server refused)` } : { kind: 'retry', statusCode: code, error };
  } finally {
    transport.close();
  }
}
