import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Page } from '../store/page.js';

/** Sends a page as a bare array (the V1 shape) with the next page's address in a Link header. */
export function sendPage<T>(request: FastifyRequest, reply: FastifyReply, page: Page<T>): T[] {
  if (page.next !== null) {
    const url = new URL(request.url, 'http://placeholder');
    url.searchParams.set('cursor', page.next);
    reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
  }
  return page.items;
}
