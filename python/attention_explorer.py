"""Show self-attention weights from Python in a notebook.

    from attention_explorer import show
    show(outputs.attentions, tokenizer.convert_ids_to_tokens(inputs["input_ids"][0]))

One file, numpy only, so it can be copied next to a notebook or put on sys.path without
installing anything. Torch tensors are read by duck typing (`.detach().cpu().float().numpy()`)
so torch is never imported here.

`to_bundle` returns a MIME bundle with three entries:

- application/vnd.attention-explorer.v1+json: the weights, which the Attention Explorer
  extension for VS Code draws as interactive views;
- text/html: static heatmaps as PNG data: images, for places that run no JavaScript and
  do not know the extension (GitHub's notebook view, other editors);
- text/plain: a one-line summary, for consoles.

The JSON payload is
    {"title"?: str, "tokens": [str, ...],
     "layers": [{"node": "attentions[l]", "heads": H, "weights_b64": str}]}
where weights_b64 is standard base64 of little-endian float32 values in [head][query][key]
order: exact to the bit and a third the size of nested JSON lists.
"""

# Standard library only besides numpy: the file must work wherever numpy does.
import base64
import html
import struct
import zlib

import numpy as np

__all__ = ["MIME", "to_bundle", "show"]

MIME = "application/vnd.attention-explorer.v1+json"

# Heatmaps in the HTML are max-pooled to at most this many pixels a side, which keeps
# 12 layers x 12 heads of 512 tokens to about a megabyte, and max-pooling (not averaging)
# keeps a single strong weight visible.
_MAX_PIXELS = 96
# ...and nearest-upscaled to at least this many, so six tokens are not a 6 px smudge.
_MIN_PIXELS = 64

# Viridis at nine evenly spaced points (0, 1/8, ..., 1); the 256-colour palette is
# interpolated between them. Perceptually even and readable in greyscale.
_VIRIDIS_ANCHORS = np.array(
    [
        (0x44, 0x01, 0x54),
        (0x47, 0x2D, 0x7B),
        (0x3B, 0x52, 0x8B),
        (0x2C, 0x72, 0x8E),
        (0x21, 0x90, 0x8C),
        (0x27, 0xAD, 0x81),
        (0x5D, 0xC8, 0x63),
        (0xAA, 0xDC, 0x32),
        (0xFD, 0xE7, 0x25),
    ],
    dtype=np.float64,
)


def _palette():
    """256 RGB triples as the PLTE bytes of an indexed PNG."""
    at = np.linspace(0.0, 1.0, len(_VIRIDIS_ANCHORS))
    x = np.linspace(0.0, 1.0, 256)
    rgb = np.stack([np.interp(x, at, _VIRIDIS_ANCHORS[:, c]) for c in range(3)], axis=1)
    return np.round(rgb).astype(np.uint8).tobytes()


_PLTE = _palette()


# ---------------------------------------------------------------------------------------------
# Reading the input


def _to_numpy(x):
    """An ndarray from a numpy array, a torch tensor (by duck typing) or nested lists."""
    if hasattr(x, "detach") and hasattr(x, "numpy"):
        # .float() because numpy has no bfloat16; .cpu() because CUDA tensors have no .numpy().
        return np.asarray(x.detach().cpu().float().numpy())
    return np.asarray(x)


_EMPTY = "attentions is empty: expected at least one layer of weights."


def _layers(attentions):
    """The input as a list of [heads, N, N] arrays, one per layer, in their own dtype."""
    if isinstance(attentions, (list, tuple)):
        if len(attentions) == 0:
            raise ValueError(_EMPTY)
        layers = []
        for l, a in enumerate(_to_numpy(a) for a in attentions):
            if a.ndim == 4:
                if a.shape[0] == 0:
                    raise ValueError("layer %d has an empty batch dimension." % (l + 1))
                a = a[0]  # Hugging Face [batch, heads, N, N]: the first example is shown
            elif a.ndim != 3:
                raise ValueError(
                    "layer %d has shape %s; each layer must be [heads, N, N] "
                    "or [batch, heads, N, N]." % (l + 1, tuple(a.shape))
                )
            layers.append(a)
        return layers
    a = _to_numpy(attentions)
    if a.size == 0 and a.ndim < 3:
        raise ValueError(_EMPTY)
    if a.ndim == 3:
        return [a]
    if a.ndim == 4:
        if a.shape[0] == 0:
            raise ValueError(_EMPTY)
        return list(a)
    raise ValueError(
        "attentions has shape %s; expected [heads, N, N], [layers, heads, N, N], "
        "or a list or tuple of per-layer arrays." % (tuple(a.shape),)
    )


def _validated(layers):
    """float32 copies of the layers after every check the payload relies on.

    Messages count layers, heads, queries and keys from 1, as the captions do.
    """
    out = []
    for l, a in enumerate(layers):
        if a.dtype.kind not in "biuf":
            raise ValueError("layer %d holds %s values; expected real numbers." % (l + 1, a.dtype))
        heads, rows, cols = a.shape
        if rows != cols:
            raise ValueError(
                "layer %d is %d × %d in its last two dimensions; attention weights "
                "must be square [query, key]." % (l + 1, rows, cols)
            )
        if heads == 0:
            raise ValueError("layer %d is empty: it has no heads." % (l + 1))
        if rows == 0:
            raise ValueError("layer %d is empty: it has no tokens." % (l + 1))
        if out and heads != out[0].shape[0]:
            raise ValueError(
                "layer %d has %d heads but layer 1 has %d; every layer must "
                "have the same number of heads." % (l + 1, heads, out[0].shape[0])
            )
        if out and rows != out[0].shape[1]:
            raise ValueError(
                "layer %d covers %d tokens but layer 1 covers %d; every layer "
                "must cover the same tokens." % (l + 1, rows, out[0].shape[1])
            )
        # Checked after the conversion: a float64 beyond float32's range becomes inf here.
        with np.errstate(over="ignore"):
            w = np.ascontiguousarray(a, dtype="<f4")
        finite = np.isfinite(w)
        if not finite.all():
            h, q, k = np.argwhere(~finite)[0]
            raise ValueError(
                "layer %d, head %d holds %s at query %d, key %d; weights must be finite "
                "float32 numbers." % (l + 1, h + 1, _describe(w[h, q, k]), q + 1, k + 1)
            )
        out.append(w)
    return out


def _describe(v):
    return "NaN" if np.isnan(v) else "infinity (or a number too large for float32)"


def _tokens(tokens, n):
    if tokens is None:
        return [str(i + 1) for i in range(n)]
    if isinstance(tokens, (str, bytes)):
        raise ValueError("tokens must be a list of strings, one per token, not a single string.")
    tokens = list(tokens)
    for i, t in enumerate(tokens):
        if not isinstance(t, str):
            raise ValueError("tokens[%d] is %s, not a string." % (i, type(t).__name__))
    if len(tokens) != n:
        raise ValueError(
            "tokens has length %d but the attention weights cover %d tokens; there must be "
            "one token per row." % (len(tokens), n)
        )
    return tokens


# ---------------------------------------------------------------------------------------------
# The bundle


def to_bundle(attentions, tokens=None, title=None):
    """A MIME bundle (a dict) for IPython's display(bundle, raw=True).

    attentions: a Hugging Face `outputs.attentions` tuple of [batch, heads, N, N] (batch 0 is
    shown), one [heads, N, N] array, one [layers, heads, N, N] array, or a list of per-layer
    [heads, N, N] arrays; numpy arrays or torch tensors of any float dtype.
    tokens: N strings, or None for "1" ... "N".
    title: an optional line shown above the views.

    Raises ValueError with a sentence naming the problem when the input cannot be shown.
    """
    layers = _validated(_layers(attentions))
    n = layers[0].shape[1]
    tokens = _tokens(tokens, n)
    if title is not None:
        title = str(title)

    payload = {}
    if title is not None:
        payload["title"] = title
    payload["tokens"] = tokens
    payload["layers"] = [
        {
            "node": "attentions[%d]" % l,
            "heads": int(w.shape[0]),
            "weights_b64": base64.b64encode(w.tobytes()).decode("ascii"),
        }
        for l, w in enumerate(layers)
    ]
    summary = _summary(len(layers), layers[0].shape[0], n, title)
    return {MIME: payload, "text/html": _html(layers, tokens, title, summary), "text/plain": summary}


def show(attentions, tokens=None, title=None):
    """Displays the attention in the notebook; prints the summary where IPython is absent."""
    bundle = to_bundle(attentions, tokens, title)
    try:
        from IPython.display import display
    except ImportError:
        print(bundle["text/plain"])
        return None
    display(bundle, raw=True)
    return None


def _count(k, word):
    return "%d %s%s" % (k, word, "" if k == 1 else "s")


def _summary(layers, heads, n, title):
    line = "Attention: %s × %s × %s" % (_count(layers, "layer"), _count(heads, "head"), _count(n, "token"))
    return line + (" — " + title if title else "")


# ---------------------------------------------------------------------------------------------
# Static HTML: plain tags and inline PNGs, no scripts and no external resources, so it shows
# the same in a browser, in GitHub's sanitised notebook view, and in an editor without the
# extension.


def _html(layers, tokens, title, summary):
    esc = html.escape
    n = len(tokens)
    pool = _pool_size(n)
    note = "Rows are queries, columns keys; each map is coloured from 0 (dark) to its own largest weight (yellow)"
    if pool > 1:
        note += "; each pixel is the largest weight of a %d × %d block of tokens" % (pool, pool)
    parts = [
        '<div class="attention-explorer">',
        "<p><strong>%s</strong><br>%s</p>" % (esc(title or "Attention"), esc(summary)),
        "<p><small>%s.</small></p>" % esc(note),
        "<table>",
    ]
    for l, w in enumerate(layers):
        cells = []
        for h in range(w.shape[0]):
            png, side = _heatmap_png(w[h], pool)
            caption = "Layer %d · Head %d" % (l + 1, h + 1)
            alt = "%s: attention weights of %d tokens, queries as rows, keys as columns" % (caption, n)
            cells.append(
                '<td style="text-align:center"><img src="data:image/png;base64,%s" width="%d" height="%d" '
                'alt="%s" style="image-rendering:pixelated"><br><small>%s</small></td>'
                % (base64.b64encode(png).decode("ascii"), side, side, esc(alt), esc(caption))
            )
        parts.append("<tr>%s</tr>" % "".join(cells))
    parts.append("</table>")
    listed = " ".join("<code>%s</code>" % esc(t) for t in tokens)
    parts.append("<p><small>Tokens: %s</small></p>" % listed)
    parts.append("</div>")
    return "\n".join(parts)


def _pool_size(n):
    """The side of the square blocks that bring n tokens down to at most _MAX_PIXELS."""
    return -(-n // _MAX_PIXELS)


def _heatmap_png(m, pool):
    """One head [N, N] as an indexed PNG, max-pooled by `pool`; returns (bytes, side in px)."""
    n = m.shape[0]
    if pool > 1:
        side = -(-n // pool)
        padded = np.full((side * pool, side * pool), -np.inf, dtype=np.float32)
        padded[:n, :n] = m
        m = padded.reshape(side, pool, side, pool).max(axis=(1, 3))
    lo = min(0.0, float(m.min()))
    hi = float(m.max())
    span = hi - lo if hi > lo else 1.0
    index = np.round((m - lo) / span * 255).astype(np.uint8)
    scale = -(-_MIN_PIXELS // index.shape[0]) if index.shape[0] < _MIN_PIXELS else 1
    index = np.repeat(np.repeat(index, scale, axis=0), scale, axis=1)
    return _png(index), index.shape[0]


def _png(index):
    """An 8-bit indexed PNG of a 2-D uint8 array, over the viridis palette."""
    height, width = index.shape
    # Every scanline starts with filter type 0 (none).
    raw = np.hstack([np.zeros((height, 1), dtype=np.uint8), index]).tobytes()

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)  # depth 8, colour type 3 (palette)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"PLTE", _PLTE)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )
