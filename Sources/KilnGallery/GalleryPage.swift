import Foundation

/// `outputs/index.html`: one self-contained static page — the gallery's data as JSON inside it,
/// its CSS and script inline, no server, CDN, font or script from elsewhere — so it works from
/// `file://` and from any static host.
///
/// Every text from a manifest (prompts, names, paths, errors) reaches the page only as JSON in a
/// `<script type="application/json">` block, with `<`, `>`, `&` and the two JavaScript line
/// separators escaped, and the script puts it on the page with `textContent`: a prompt containing
/// `<script>` is shown as text, never run.
public enum GalleryPage {
    public static func html(_ model: GalleryModel) throws -> Data {
        var html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="kiln">
        <title>\(escapeText(model.title))</title>
        <style>\(GalleryAssets.css)</style>
        </head>
        <body>
        <header>
          <h1>\(escapeText(model.title))</h1>
          <p id="totals"></p>
          <div id="controls">
            <label>Pipeline <select id="pipeline"><option value="">all</option></select></label>
            <label><input type="checkbox" id="changed"> changed only</label>
            <input type="search" id="search" placeholder="Filter by name, path or prompt (/)" aria-label="Filter">
            <span id="count"></span>
          </div>
          <p id="keys">← → (or j k) move · Enter opens · Esc closes · c changed only · / filter</p>
        </header>
        <div id="problems"></div>
        <main id="grid"></main>
        <div id="more"></div>
        <dialog id="detail"></dialog>
        <script id="kiln-data" type="application/json">
        """
        let encoder = JSONEncoder()
        // Sorted: on Linux an object's keys otherwise come out in a new order in every process, so
        // the same build wrote a different page each time (and a test reading it was flaky).
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        html += String(decoding: try encoder.encode(model), as: UTF8.self).scriptSafe
        html += "</script>\n<script>\(GalleryAssets.script)</script>\n</body>\n</html>\n"
        return Data(html.utf8)
    }

    /// Text for an HTML element's content.
    static func escapeText(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}

extension String {
    /// JSON that cannot end its `<script>` block or open another (`</script>`, `<!--`) and that
    /// JavaScript reads as written (U+2028 and U+2029 escaped).
    var scriptSafe: String {
        var out = ""
        out.reserveCapacity(utf8.count + 64)
        for scalar in unicodeScalars {
            switch scalar {
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
