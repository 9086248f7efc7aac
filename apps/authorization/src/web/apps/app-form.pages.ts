import { Inject, Injectable } from '@nestjs/common';
import { Rpc, type WebRequest, type WebResponse } from '#contracts';
import { ServiceBus } from '#nest';
import { OAuthError } from '#oauth';
import type { AppsFrame, MetadataField } from '../../pages/app-views.js';
import { PageKit } from '../page-kit.js';
import type { SignedInVisit } from '../signed-in-grants-page.js';
import { seeOther } from '../web-response.js';
import { FORM_AUTH_METHODS, formValues, grantChoices, metadataOf, valuesOf } from './app-form.js';

/**
 * The register form (the seed's manual registration, with a public-key
 * paste) and the edit form of the app directory. Both post to the
 * registration service, which validates as POST /register and RFC 7592 do;
 * its error is shown above the form, the values kept.
 */
@Injectable()
export class AppFormPages {
  constructor(
    @Inject(ServiceBus) private readonly bus: ServiceBus,
    private readonly kit: PageKit,
  ) {}

  async handle(req: WebRequest, visit: SignedInVisit, frame: (title: string) => AppsFrame, clientId?: string): Promise<WebResponse> {
    const who = { adminSession: visit.session, requestId: req.requestId };
    const current = clientId ? await this.bus.request(Rpc.registration.getClient, { ...who, clientId }) : undefined;
    if (current?.managed) return this.kit.errorPage(400, 'invalid_request', 'This app is managed by configuration and is changed there.');
    const title = current ? `Edit ${current.client_name ?? current.client_id}` : 'Register an app';
    const render = (values: Record<string, string>, error?: string) => {
      const body = this.kit.renderer.adminAppForm({
        ...frame(title),
        ...(error ? { error } : {}),
        action: current ? `/admin/apps/${encodeURIComponent(current.client_id)}/edit` : '/admin/apps/new',
        submitLabel: current ? 'Save' : 'Register',
        cancelHref: current ? `/admin/apps/${encodeURIComponent(current.client_id)}` : '/admin/apps',
        isNew: !current,
        values,
        authMethods: FORM_AUTH_METHODS,
        grantTypes: grantChoices(values.grant_types ?? ''),
      });
      return this.kit.page(error ? 400 : 200, body, [], visit.cookies);
    };
    if (req.method !== 'POST') return render(current ? valuesOf(current) : { token_endpoint_auth_method: 'none', grant_types: 'authorization_code refresh_token' });
    const submitted = metadataOf(req, current as Record<string, unknown> | undefined);
    try {
      if (current) {
        await this.bus.request(Rpc.registration.updateClient, { ...who, clientId: current.client_id, ...submitted });
        return seeOther(`/admin/apps/${encodeURIComponent(current.client_id)}?edited=1`);
      }
      const created = await this.bus.request(Rpc.registration.createClient, { ...who, ...submitted });
      const fields: MetadataField[] = [
        { label: 'Client ID', values: [created.client_id] },
        ...(created.client_secret ? [{ label: 'Client secret', values: [created.client_secret] }] : []),
        { label: 'Registration access token', values: [created.registration_access_token] },
        { label: 'Registration client URI', values: [created.registration_client_uri] },
      ];
      const body = this.kit.renderer.adminAppRegistered({ ...frame(`${created.client_name ?? created.client_id} is registered`), detailHref: `/admin/apps/${encodeURIComponent(created.client_id)}`, fields });
      return this.kit.page(201, body, [], visit.cookies);
    } catch (err: unknown) {
      if (err instanceof OAuthError && err.status < 500) return render(formValues(req), err.description ?? err.error);
      throw err;
    }
  }
}
