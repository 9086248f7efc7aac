import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's messages through the process's JSON logger. Failed queries are
 * logged without their parameters (they may be token or secret hashes, user
 * input); the query text itself only has placeholders.
 */
export class TypeOrmLog implements TypeOrmLogger {
  private readonly logger: Logger;

  constructor(service: string) {
    this.logger = new Logger(`TypeORM(${service})`);
  }

  logQuery(query: string): void {
    this.logger.verbose(query);
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.error(`query failed: ${error instanceof Error ? error.message : error} (${query.slice(0, 500)})`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`slow query (${time} ms): ${query.slice(0, 500)}`);
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.log(String(message));
  }
}
