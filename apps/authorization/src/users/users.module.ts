import { Module } from '@nestjs/common';
import { JwtBearerSubjects } from './jwt-bearer-subjects.service.js';
import { LoginThrottle } from './login-throttle.js';
import { PasswordLogin } from './password-login.service.js';
import { SessionService } from './session.service.js';
import { UserDirectory } from './user-directory.service.js';
import { UserStore } from './user.store.js';

const PROVIDERS = [UserStore, SessionService, LoginThrottle, PasswordLogin, UserDirectory, JwtBearerSubjects];

/** People: accounts, password logins and their throttle, sessions, the clients a user lets act for them (jwt-bearer). */
@Module({ providers: PROVIDERS, exports: PROVIDERS })
export class UsersModule {}
