/**
 * @elyzor/nest/typeorm: the entity of `adapter: 'typeorm'`, nest-api-key-auth's keys table, for
 * `TypeOrmModule.forFeature([ApiKeyEntity])` and `getRepositoryToken(ApiKeyEntity)`. A subpath of
 * its own, so that the main entry never loads TypeORM.
 */
export { ApiKeyEntity, createApiKeyEntity, TypeOrmStore, type ApiKeyEntityOptions, type ApiKeyRow } from '@elyzor/keys/typeorm';
