import { Injectable } from '@nestjs/common';
import type { CreateApiKeyDto } from './api-key.js';
import { invalidInput } from './exceptions.js';
import { NotFoundException } from '@nestjs/common';

export interface KeyTemplate {
  id: string;
  name: string;
  description?: string;
  /** A key's settings, all but its name. */
  config: Omit<CreateApiKeyDto, 'name'>;
}

/**
 * nest-api-key-auth's key templates: named presets of a key's settings. `createFromTemplate`
 * gives the `CreateApiKeyDto` for `ApiKeyService.create`, which checks it as any other. Templates
 * are the app's configuration, registered at start (`onModuleInit`), as the seed's examples do;
 * they are not stored in the database.
 */
@Injectable()
export class KeyTemplateService {
  private readonly templates = new Map<string, KeyTemplate>();

  registerTemplate(template: KeyTemplate): void {
    if (typeof template !== 'object' || template === null) throw invalidInput('template must be an object');
    if (typeof template.id !== 'string' || template.id.trim() === '') throw invalidInput('template id must be a non-empty string');
    if (typeof template.name !== 'string' || template.name.trim() === '') throw invalidInput('template name must be a non-empty string');
    if (typeof template.config !== 'object' || template.config === null || Array.isArray(template.config)) throw invalidInput('template config must be an object');
    if ('name' in template.config) throw invalidInput("template config must not have a name: each key gets its own");
    this.templates.set(template.id, { ...template, config: { ...template.config } });
  }

  getTemplate(templateId: string): KeyTemplate | null {
    return this.templates.get(templateId) ?? null;
  }

  getTemplates(): KeyTemplate[] {
    return [...this.templates.values()];
  }

  removeTemplate(templateId: string): void {
    this.templates.delete(templateId);
  }

  /** The template's settings with `name`, and `overrides` over them; 404 for an unknown template. */
  createFromTemplate(templateId: string, name: string, overrides: Partial<CreateApiKeyDto> = {}): CreateApiKeyDto {
    const template = this.templates.get(templateId);
    if (template === undefined) throw new NotFoundException({ statusCode: 404, error: 'Not Found', code: 'template_not_found', message: `Key template ${JSON.stringify(templateId)} not found` });
    return { ...structuredClone(template.config), name, ...overrides };
  }
}

