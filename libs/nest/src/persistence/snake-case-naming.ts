import { DefaultNamingStrategy, type NamingStrategyInterface } from 'typeorm';

/**
 * Column names are the entity's property names in snake_case (`clientIdIssuedAt`
 * is `client_id_issued_at`), as the migrations and the stores' SQL spell them,
 * so an entity names a column only where it is not that. Tables keep the names
 * their `@Entity` gives them.
 */
export class SnakeCaseNamingStrategy extends DefaultNamingStrategy implements NamingStrategyInterface {
  override columnName(propertyName: string, customName: string | undefined, embeddedPrefixes: string[]): string {
    return customName || [...embeddedPrefixes, propertyName].join('_').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  }
}
