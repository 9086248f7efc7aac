import type { UserEntity } from '../persistence/entities/user.entity.js';

/** A user as the admin API shows it: never the password hash. */
export function userResource(user: UserEntity): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    display_name: user.displayName,
    ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}),
    patients: user.patients,
    disabled: user.disabled,
    admin: user.admin,
    created_at: user.createdAt.toISOString(),
    updated_at: user.updatedAt.toISOString(),
  };
}

/** The FHIR Patient id of a patient user (`Patient/123` → `123`), if the user is one. */
export function ownPatientId(user: Pick<UserEntity, 'fhirUser'>): string | undefined {
  return user.fhirUser?.startsWith('Patient/') ? user.fhirUser.slice('Patient/'.length) : undefined;
}
