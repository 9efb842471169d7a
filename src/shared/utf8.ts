// UTF-8 bytes to text for the modules here, which see neither the DOM's nor Node's type
// declarations; every runtime they run in (the extension host, the webview, the command line)
// has the WHATWG TextDecoder, so only its type is declared.
declare const TextDecoder: new (label: 'utf-8', options?: { fatal?: boolean }) => { decode(bytes: Uint8Array): string };

/** The text, without a leading byte order mark; undefined for bytes that are not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return undefined;
  }
}
