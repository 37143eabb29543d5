/** An id as one path segment: encoded, so that `../x` or `a/b` cannot address another route. */
export const segment = (id: string): string => encodeURIComponent(id);
