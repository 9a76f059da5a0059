const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML/SVG element content and quoted attribute values. */
export function esc(s: string | number | bigint): string {
  return String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
