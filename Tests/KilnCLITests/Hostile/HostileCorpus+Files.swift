import Foundation

/// Input files that are not what an edit or derive needs, and destinations that cannot be
/// written: each refused before anything is paid for, with a good generate step beside the bad one
/// so that nothing else of the build is paid for first either.
enum FileCases {
    /// A paid asset that is fine, then the edit under test.
    static func edit(images: String, mask: String? = nil) -> String {
        "version: 1\nassets:\n  fine: { prompt: a calm sea }\n  e:\n    prompt: put the product on the sea\n    images: \(images)\n"
            + (mask.map { "    mask: \($0)\n" } ?? "")
    }

    static func derive(from: String) -> String {
        "version: 1\nassets:\n  fine: { prompt: a calm sea }\n  d:\n    steps:\n      t:\n        derive: { from: \(from), resize: 64 }\n        output: t.png\n"
    }

    static var inputs: [HostileCase] {
        let product = ["pipelines/inputs/p.png": HostileCase.Item.image(.product)]
        var cases = [
            HostileCase("a missing input", edit(images: "[inputs/missing.png]"), after: "inputs/missing.png", onNeedle: true, says: "no such file 'inputs/missing.png'"),
            HostileCase("a folder as input", edit(images: "[inputs/dir.png]"), after: "inputs/dir.png", onNeedle: true, says: "is a folder")
                .with { $0.items["pipelines/inputs/dir.png"] = .folder },
            HostileCase("an empty input", edit(images: "[inputs/e.png]"), after: "inputs/e.png", onNeedle: true, says: "is empty")
                .with { $0.items["pipelines/inputs/e.png"] = .bytes(Data()) },
            HostileCase("a truncated PNG", edit(images: "[inputs/t.png]"), after: "inputs/t.png", onNeedle: true, says: "is truncated or damaged")
                .with { $0.items["pipelines/inputs/t.png"] = .image(.truncatedPNG) },
            HostileCase("a PNG with a damaged chunk", edit(images: "[inputs/c.png]"), after: "inputs/c.png", onNeedle: true, says: "fails its checksum")
                .with { $0.items["pipelines/inputs/c.png"] = .image(.corruptPNG) },
            HostileCase("a truncated JPEG", edit(images: "[inputs/t.jpg]"), after: "inputs/t.jpg", onNeedle: true, says: "is truncated or damaged")
                .with { $0.items["pipelines/inputs/t.jpg"] = .image(.truncatedJPEG) },
            HostileCase("a truncated WebP", edit(images: "[inputs/t.webp]"), after: "inputs/t.webp", onNeedle: true, says: "is truncated or damaged")
                .with { $0.items["pipelines/inputs/t.webp"] = .image(.truncatedWebP) },
            HostileCase("PNG data that is not zlib", edit(images: "[inputs/z.png]"), after: "inputs/z.png", onNeedle: true,
                        says: "not zlib-compressed").with { $0.items["pipelines/inputs/z.png"] = .image(.notZlibPNG) },
            HostileCase("a PNG that claims 100000x100000", edit(images: "[inputs/h.png]"), after: "inputs/h.png", onNeedle: true,
                        says: "100000x100000 pixels").with { $0.items["pipelines/inputs/h.png"] = .image(.hugeDimensionsPNG) },
            HostileCase("a GIF named .png", edit(images: "[inputs/g.png]"), after: "inputs/g.png", onNeedle: true, says: "is a GIF image")
                .with { $0.items["pipelines/inputs/g.png"] = .image(.gif) },
            HostileCase("text named .png", edit(images: "[inputs/x.png]"), after: "inputs/x.png", onNeedle: true, says: "is text, not an image")
                .with { $0.items["pipelines/inputs/x.png"] = .text("not really an image\n") },
            HostileCase("an SVG", edit(images: "[inputs/v.svg]"), after: "inputs/v.svg", onNeedle: true, says: "is an SVG drawing")
                .with { $0.items["pipelines/inputs/v.svg"] = .text("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>") },
            HostileCase("a symlink loop", edit(images: "[inputs/loop.png]"), after: "inputs/loop.png", onNeedle: true, says: "loops")
                .with { $0.items["pipelines/inputs/loop.png"] = .symlink(to: "loop.png") },
            HostileCase("a second image truncated", edit(images: "[inputs/p.png, inputs/t.png]"), after: "inputs/t.png", onNeedle: true, says: "is truncated")
                .with { $0.items = product; $0.items["pipelines/inputs/t.png"] = .image(.truncatedPNG) },
            HostileCase("a JPEG mask", edit(images: "[inputs/p.png]", mask: "inputs/m.jpg"), after: "mask: ", says: "must be a PNG with an alpha channel")
                .with { $0.items = product; $0.items["pipelines/inputs/m.jpg"] = .image(.maskJPEG) },
            HostileCase("a mask without alpha", edit(images: "[inputs/p.png]", mask: "inputs/m.png"), after: "mask: ", says: "has no alpha channel")
                .with { $0.items = product; $0.items["pipelines/inputs/m.png"] = .image(.maskWithoutAlpha) },
            HostileCase("a mask of another size", edit(images: "[inputs/p.png]", mask: "inputs/m.png"), after: "mask: ",
                        says: "is 512x512 but the first image 'inputs/p.png' is 1024x1024")
                .with { $0.items = product; $0.items["pipelines/inputs/m.png"] = .image(.smallMask) },
            HostileCase("a missing mask", edit(images: "[inputs/p.png]", mask: "inputs/none.png"), after: "mask: ", says: "no such file")
                .with { $0.items = product },
            HostileCase("a truncated mask", edit(images: "[inputs/p.png]", mask: "inputs/m.png"), after: "mask: ", says: "is truncated")
                .with { $0.items = product; $0.items["pipelines/inputs/m.png"] = .image(.truncatedPNG) },
            HostileCase("a mask of another size than a referenced step's",
                        "version: 1\nassets:\n  e:\n    steps:\n      base: { generate: { prompt: sea, size: 1536x1024 } }\n      edit:\n        edit: { images: [\"@base\"], mask: inputs/m.png, prompt: boat }\n        output: e.png\n",
                        after: "mask: ", says: "is 1024x1024 but the first image '@base' is 1536x1024")
                .with { $0.items["pipelines/inputs/m.png"] = .image(.mask) },
            HostileCase("a mask over 4 MB", edit(images: "[inputs/p.png]", mask: "inputs/m.png"), after: "mask: ",
                        says: "a mask must be under 4 MB")
                .with { $0.items = product; $0.items["pipelines/inputs/m.png"] = .image(.hugeMask) },
            HostileCase("a mask of another size than a derived image",
                        "version: 1\nassets:\n  m:\n    steps:\n      g: { generate: { prompt: sea, size: 1024x1024 } }\n      d: { derive: { resize: 512 } }\n      e: { edit: { images: [\"@d\"], mask: inputs/m.png, prompt: boat }, output: e.png }\n",
                        after: "mask: ", says: "is 1024x1024 but the first image '@d' is 512x512")
                .with { $0.items["pipelines/inputs/m.png"] = .image(.mask) },
            HostileCase("a crop outside a generated image",
                        "version: 1\nassets:\n  a:\n    prompt: sea\n    size: 1024x1024\n    derive:\n      - { crop: { x: 2000, y: 0, width: 10, height: 10 }, output: c.png }\n",
                        after: "crop:", onNeedle: true, says: "lies outside the 1024x1024 image"),
            HostileCase("padding past the size limit",
                        "version: 1\nassets:\n  a:\n    prompt: sea\n    size: 1024x1024\n    derive:\n      - { pad: { top: 16384, bottom: 16384 }, output: p.png }\n",
                        after: "pad:", onNeedle: true, says: "the largest Kiln writes is 16,384 on a side"),
            HostileCase("seventeen images", edit(images: "[" + Array(repeating: "inputs/p.png", count: 17).joined(separator: ", ") + "]"),
                        after: "images: ", says: "16").with { $0.items = product },
            HostileCase("a derive from a missing file", derive(from: "inputs/none.png"), after: "from: ", says: "no such file"),
            HostileCase("a derive from a truncated file", derive(from: "inputs/t.png"), after: "from: ", says: "is truncated")
                .with { $0.items["pipelines/inputs/t.png"] = .image(.truncatedPNG) },
            HostileCase("a derive from a folder", derive(from: "inputs"), after: "from: ", says: "is a folder")
                .with { $0.items["pipelines/inputs"] = .folder },
        ]
        cases.append(HostileCase("a templated input missing for one variant",
                                 "version: 1\nassets:\n  e:\n    matrix: { c: [p, q] }\n    prompt: recolour\n    images: [\"inputs/{{c}}.png\"]\n",
                                 after: "\"inputs/{{c}}", onNeedle: true, says: "no such file 'inputs/q.png'").with { $0.items = product })
        return cases
    }

    static var destinations: [HostileCase] {
        let fine = "version: 1\nassets:\n  a: { prompt: a calm sea, output: sea/a.png }\n"
        let long = String(repeating: "n", count: 240)
        return [
            HostileCase("outputs/ is a file", fine, says: "is a file, but the build needs a folder there")
                .with { $0.items["outputs"] = .text("not a folder"); $0.validateStatus = 0 },
            HostileCase("an output folder is a file", fine, says: "outputs/sea is a file")
                .with { $0.items["outputs/sea"] = .text("in the way"); $0.validateStatus = 0 },
            HostileCase("an output folder is a dangling symlink", fine, says: "is a symbolic link to something that does not exist")
                .with { $0.items["outputs/sea"] = .symlink(to: "/nonexistent/kiln-qa"); $0.validateStatus = 0 },
            HostileCase("an output folder loops", fine, says: "loops")
                .with { $0.items["outputs/sea"] = .symlink(to: "sea"); $0.validateStatus = 0 },
            HostileCase("the cache folder is a file", fine, says: "is a file, but the build needs a folder there")
                .with { $0.items["cachefile"] = .text("x"); $0.buildArguments = ["--cache-dir", "cachefile"]; $0.validateStatus = 0 },
            HostileCase("--out below a file", fine, says: "is a file, but the build needs a folder there")
                .with { $0.items["blocker"] = .text("x"); $0.buildArguments = ["--out", "blocker/out"]; $0.validateStatus = 0 },
            HostileCase("a file name too long", "version: 1\nassets:\n  a: { prompt: sea, output: \"\(long).png\" }\n",
                        after: "output: ", says: "bytes; the limit is 215"),
            HostileCase("a folder name too long", "version: 1\nassets:\n  a: { prompt: sea, output: \"\(long)\(long)/a.png\" }\n",
                        after: "output: ", says: "folder name"),
            HostileCase("a path too long", "version: 1\nassets:\n  a: { prompt: sea, output: \"\(Array(repeating: long, count: 18).joined(separator: "/"))/a.png\" }\n",
                        after: "output: ", says: "the full path would be"),
            HostileCase("a templated file name too long", "version: 1\nassets:\n  a:\n    matrix: { c: [\"\(long)\"] }\n    prompt: sea\n    output: \"{{c}}.png\"\n",
                        after: "output: ", says: "the limit is 215"),
        ]
    }

    static var all: [HostileCase] { inputs + destinations }
}
