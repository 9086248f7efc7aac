import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { RequestContext } from './request-context.js';
import { Tracing } from './tracing.js';

/** The suite's `LOG_LEVEL` names (NestJS's) and pino's levels. */
const LEVELS: Record<string, Level> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/** Fields that hold a secret wherever they appear in a logged object. */
const SECRET_FIELDS = [
  'client_secret',
  'clientSecret',
  'client_assertion',
  'clientAssertion',
  'assertion',
  'password',
  'code',
  'code_verifier',
  'codeVerifier',
  'refresh_token',
  'refreshToken',
  'access_token',
  'accessToken',
  'id_token',
  'idToken',
  'token',
  'registration_access_token',
  'registrationAccessToken',
  'authorization',
  'cookie',
  'privateKey',
  'private_key',
  'privateJwk',
  'KEY_ENCRYPTION_KEY',
  'ADMIN_CLIENT_SECRET',
];

/**
 * pino `redact` paths: each secret field at the top of a logged object and
 * two levels down (`req.headers.authorization`, `params.client_secret`, …),
 * and the cookies a response sets.
 */
export const REDACTED_PATHS: readonly string[] = [
  ...SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
];

/** JWTs (access, ID, refresh-less bearer tokens, assertions) that slipped into a message text. */
const JWT_IN_TEXT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** `Bearer …` / `Basic …` credentials in a message text. */
const CREDENTIAL_IN_TEXT = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

/** Removes credentials from free text before it is logged. */
export function scrubText(text: string): string {
  return text.replace(JWT_IN_TEXT, '[redacted]').replace(CREDENTIAL_IN_TEXT, '$1 [redacted]');
}

export interface ProcessLogOptions {
  /** `LOG_LEVEL` (NestJS names: error, warn, log, debug, verbose). */
  level: string;
  /** `json` (default: one JSON object per line) or `pretty` (for a person at a terminal). */
  format: string;
  /** Where lines go (default: stdout). */
  destination?: DestinationStream;
}

/** Lines for a person at a terminal (`LOG_FORMAT=pretty`); loaded only when asked for. */
export async function prettyDestination(): Promise<DestinationStream> {
  const { default: pretty } = await import('pino-pretty');
  return pretty({ sync: true, colorize: process.stdout.isTTY });
}

/** One pino logger for the process: JSON lines, `request_id` (and `trace_id` when tracing) on every line. */
export function createProcessLogger(service: string, options: ProcessLogOptions): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false });
  return pino(
    {
      level: LEVELS[options.level] ?? 'info',
      base: { service, pid: process.pid },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      mixin() {
        const requestId = RequestContext.requestId();
        const traceId = Tracing.activeTraceId();
        if (requestId === undefined && traceId === undefined) return {};
        return traceId === undefined ? { request_id: requestId } : { request_id: requestId, trace_id: traceId };
      },
    },
    destination,
  );
}

/**
 * NestJS's LoggerService on pino: every `Logger` of the framework and of the
 * suite (`new Logger('ServiceBus')`) writes JSON lines with its context.
 * (`nestjs-pino` would be the usual choice, but its NestJS 12 release needs
 * Node 22; this adapter is the part of it the suite uses.)
 */
export class PinoNestLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  /** Levels are pino's, from LOG_LEVEL; NestJS's own level list is ignored. */
  setLogLevels(): void {}

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    // NestJS passes the logger's context last, and for errors a stack trace before it.
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (typeof rest[0] === 'string' && rest[0].includes('\n    at ')) fields.stack = scrubText(rest[0]);
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: { type: message.name, message: scrubText(message.message), stack: scrubText(message.stack ?? '') } }, scrubText(message.message));
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.pino[level](fields, scrubText(String(message)));
    }
  }
}

let installed: PinoNestLogger | undefined;

/** The process's logger (set once at start; a default one from LOG_LEVEL until then). */
export const ProcessLog = {
  install(service: string, options: ProcessLogOptions): PinoNestLogger {
    installed = new PinoNestLogger(createProcessLogger(service, options));
    return installed;
  },

  nest(): PinoNestLogger {
    installed ??= new PinoNestLogger(createProcessLogger(process.env.SERVICE ?? 'suite', { level: process.env.LOG_LEVEL ?? 'log', format: process.env.LOG_FORMAT ?? 'json' }));
    return installed;
  },

  /** Writes what is buffered (before exit). */
  flush(): void {
    installed?.pino.flush();
  },
};
