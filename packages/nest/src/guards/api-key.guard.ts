import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AuditLogService } from '../audit-log.service.js';
import { ApiKeyService } from '../api-key.service.js';
import type { ResolvedOptions } from '../options.js';
import { API_KEY_MODULE_OPTIONS } from '../tokens.js';
import { authenticate } from './authenticate.js';
import { httpOf } from './request.js';

/** Requires a valid key (header, `Authorization: Bearer`, query parameter or cookie) and puts it on `request.apiKey`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    @Inject(ApiKeyService) private readonly service: ApiKeyService,
    @Inject(API_KEY_MODULE_OPTIONS) private readonly options: ResolvedOptions,
    @Optional() @Inject(AuditLogService) private readonly audit?: AuditLogService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const { request, response } = httpOf(context);
    await authenticate(this.service, this.options, request, response, this.audit);
    return true;
  }
}
