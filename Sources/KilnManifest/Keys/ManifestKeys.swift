import KilnCore

/// Every key of every mapping in a version-1 manifest, spelled once. The decoder, the "did you
/// mean" suggestions, `docs/manifest.md` and `ManifestSchema` all read these tables.
public enum ManifestKeys {
    static let formats = ImageFormat.allCases.map(\.rawValue) + ["jpg"]

    /// The root mapping.
    public static let top = KeyTable("manifest", "A Kiln manifest (version 1): one pipeline of image assets.",
                                     required: ["version", "assets"], keys: [
        KeySpec("version", .integer(min: 1, max: 1), "The manifest language version. Always 1."),
        KeySpec("description", .string, "What this pipeline is for."),
        KeySpec("defaults", .table("parameters"), "Parameters every generate and edit step inherits."),
        KeySpec("vars", .map(of: .scalar), "Template values, read as {{name}} in prompts and outputs."),
        KeySpec("env", .stringList, "Environment variables templates may read as {{env.NAME}}; never credentials."),
        KeySpec("env_not_secret", .stringList,
                "Names under 'env:' that look like credentials (KEY, TOKEN, SECRET…) but hold nothing secret."),
        KeySpec("presets", .map(of: .table("parameters")), "Named parameter bundles an asset selects with 'preset:'."),
        KeySpec("providers", .map(of: .table("provider")), "Limits and connection settings by provider name."),
        KeySpec("prices", .map(of: .table("price")), "Price overrides by model, USD per 1M tokens."),
        KeySpec("cache", .table("cache"), "The remote cache this project shares (see docs/cache.md)."),
        KeySpec("assets", .map(of: .table("asset")), "The assets to build, by name, in file order."),
    ])

    /// Generate and edit parameters: in `defaults`, presets, assets and generate/edit steps.
    public static let parameters = KeyTable("parameters", "Generate and edit parameters.", keys: [
        KeySpec("provider", .choice(ProviderNames.all), "Who makes the image: openai (default) or placeholder (offline, free)."),
        KeySpec("model", .string, "The image model (default \(ModelCatalog.defaultModel))."),
        KeySpec("size", .size, "WIDTHxHEIGHT, or auto."),
        KeySpec("quality", .choice(RenderQuality.allCases.map(\.rawValue)), "Render quality."),
        KeySpec("background", .choice(BackgroundMode.allCases.map(\.rawValue)), "Background; transparent needs png or webp."),
        KeySpec("format", .choice(formats), "Output encoding (default: from the output's extension, else png)."),
        KeySpec("compression", .integer(min: 0, max: 100), "Output compression for jpeg and webp, 0–100."),
        KeySpec("moderation", .choice(Moderation.allCases.map(\.rawValue)), "Moderation strictness."),
        KeySpec("n", .integer(min: 1, max: 10), "Images per request, 1–10."),
        KeySpec("input_fidelity", .choice(InputFidelity.allCases.map(\.rawValue)), "How closely an edit keeps its inputs (edits only)."),
        KeySpec("user", .string, "An end-user id passed to the provider."),
        KeySpec("salt", .scalar, "Part of the cache key only: change it to deliberately re-roll."),
        KeySpec("mode", .choice(RequestMode.allCases.map(\.rawValue)),
                "direct (default), or batch: OpenAI's Batch API at half price, answered within 24 h (docs/batch.md). Not in the cache key."),
    ])

    /// Keys that are not Kiln's, with what to write instead.
    public static let hints: [String: String] = [
        "seed": "the Images API has no seed; use 'salt' to deliberately re-roll",
        "output_format": "use 'format'",
        "output_compression": "use 'compression'",
        "response_format": "not needed: GPT image models always return base64",
    ]

    /// An asset under `assets:`.
    public static let asset = KeyTable("asset", "One asset: a prompt (shorthand) or named steps.", keys: [
        KeySpec("description", .string, "What this asset is."),
        KeySpec("preset", .string, "A preset of this manifest, or a built-in: sticker, hero, poster, icon."),
        KeySpec("vars", .map(of: .scalar), "Template values for this asset, overriding manifest vars."),
        KeySpec("matrix", .matrix, "Axes whose combinations are the asset's variants."),
        KeySpec("final", .string, "The step '@asset' refers to (default: the last generate/edit step)."),
        KeySpec("steps", .map(of: .table("step")), "Named steps, in order."),
        KeySpec("prompt", .prompt, "Shorthand: one step 'main' that generates (or edits, with 'images:')."),
        KeySpec("images", .stringList, "Shorthand: input images for 'main', which then edits."),
        KeySpec("mask", .string, "Shorthand: a PNG mask for the edit."),
        KeySpec("output", .string, "Shorthand: where 'main' writes, relative to outputs/."),
        KeySpec("derive", .list(of: .table("derive-item")), "Shorthand: derive steps from 'main'."),
        KeySpec("sizes", .integerList(min: 1), "Square sizes to derive from the final step (icons)."),
        candidatesKey,
    ] + parameters.keys)

    /// A step under `steps:`.
    public static let step = KeyTable("step", "One step: exactly one of generate, edit or derive.", keys: [
        KeySpec("generate", .table("generate"), "Make an image from a prompt."),
        KeySpec("edit", .table("edit"), "Change 1–16 images following a prompt, optionally through a mask."),
        KeySpec("derive", .table("derive"), "Local image work on one input: resize, crop, pad, re-encode."),
        KeySpec("output", .string, "Where the step writes, relative to outputs/ (none: an intermediate)."),
    ])

    /// `candidates:` — on a generate step, or an asset written with the `prompt:` shorthand; not a
    /// parameter (defaults, presets and edits cannot take it), so it has its own spec.
    public static let candidatesKey = KeySpec("candidates", .integer(min: 1, max: 10),
        "Images to choose from, 1–10: each is its own request and cache entry; `kiln pick` chooses the one used.")

    public static let generate = KeyTable("generate", "A generate step.", required: ["prompt"], keys: [
        KeySpec("prompt", .prompt, "What to make: a string, or bullets joined into sentences."),
        candidatesKey,
    ] + parameters.keys)

    public static let edit = KeyTable("edit", "An edit step.", required: ["images", "prompt"], keys: [
        KeySpec("images", .stringList, "1–16 inputs: files relative to the manifest, or @step references."),
        KeySpec("mask", .string, "A PNG with alpha, the size of the first image; transparent pixels mark what to edit."),
        KeySpec("prompt", .prompt, "What to change."),
    ] + parameters.keys)

    static let deriveOperations: [KeySpec] = [
        KeySpec("from", .string, "The input (@step, @asset or a file); default: the previous generate/edit step."),
        KeySpec("resize", .oneOf([.integer(min: 1, max: ImageLimits.maxSide), .string, .table("box")]),
                "A box: N (N×N), \"WxH\", or {width, height} (either may be left out)."),
        KeySpec("fit", .choice(ResizeFit.allCases.map(\.rawValue)), "How the image fits the box (default contain)."),
        KeySpec("upscale", .boolean, "Whether smaller images may be enlarged (default false)."),
        KeySpec("crop", .oneOf([.string, .table("rect")]), "\"WxH\" (centred) or {x, y, width, height}."),
        KeySpec("pad", .oneOf([.integer(min: 0, max: ImageLimits.maxSide), .table("insets")]), "Pixels around: N or {top, right, bottom, left}."),
        KeySpec("background", .string, "Flatten onto this colour: #rgb, #rrggbb, #rrggbbaa, white, black, transparent."),
        KeySpec("format", .choice(formats), "Output encoding (default: from the output's extension, else the input's)."),
        KeySpec("quality", .integer(min: 1, max: 100), "Encoder quality for jpeg and webp, 1–100."),
        KeySpec("strip", .boolean, "Remove metadata (default true)."),
        KeySpec("sizes", .integerList(min: 1), "One output per size, each resized into a square box of that size."),
    ]

    public static let derive = KeyTable("derive", "A derive step's operations: crop → resize → pad → background → encode.",
                                        keys: deriveOperations)

    /// One item of an asset's shorthand `derive:` list.
    public static let deriveItem = KeyTable("derive-item", "A derive step from 'main'.", keys: [
        KeySpec("name", .string, "The step's name (default derive, or derive-1, derive-2, …)."),
        KeySpec("output", .string, "Where it writes, relative to outputs/."),
    ] + deriveOperations)

    public static let provider = KeyTable("provider", "Limits and connection settings for one provider.", keys: [
        KeySpec("max_in_flight", .integer(min: 1, max: 1_000), "Requests in flight at once."),
        KeySpec("requests_per_minute", .integer(min: 1, max: 1_000_000), "Requests per minute."),
        KeySpec("base_url", .string, "API base URL (a proxy or a compatible service)."),
        KeySpec("headers", .map(of: .string), "Extra request headers; never the API key (OPENAI_API_KEY only)."),
        KeySpec("retries", .integer(min: 0, max: 100), "Retries after the first attempt."),
        KeySpec("timeout", .number(exclusiveMinimum: 0, maximum: 86_400), "Seconds per request attempt (default 300)."),
        KeySpec("step_timeout", .number(exclusiveMinimum: 0, maximum: 604_800),
                "Seconds for a whole step, every retry included (default 900, or timeout when longer)."),
    ])

    public static let price = KeyTable("price", "USD per 1M tokens for one model.",
                                       required: ["text_input", "image_input", "image_output"], keys: [
        KeySpec("text_input", .number(exclusiveMinimum: nil, maximum: 1_000_000), "Text input tokens."),
        KeySpec("image_input", .number(exclusiveMinimum: nil, maximum: 1_000_000), "Image input tokens."),
        KeySpec("image_output", .number(exclusiveMinimum: nil, maximum: 1_000_000), "Image output tokens."),
    ])

    /// `cache:` at the root.
    public static let cache = KeyTable("cache", "The remote cache every machine building this project shares.", keys: [
        KeySpec("remote", .string, "http(s)://HOST/PATH (bazel-remote layout, nginx WebDAV), s3://BUCKET/PREFIX or file:///PATH."),
        KeySpec("read_only", .boolean, "Read from the remote cache, never write to it."),
        KeySpec("required", .boolean, "Fail the build when the remote cache fails (default: warn and go on)."),
    ])

    public static let box = KeyTable("box", "A resize box; a missing side follows the aspect ratio.", keys: [
        KeySpec("width", .integer(min: 1, max: ImageLimits.maxSide), "Box width in pixels."),
        KeySpec("height", .integer(min: 1, max: ImageLimits.maxSide), "Box height in pixels."),
    ])

    public static let rect = KeyTable("rect", "A crop rectangle; without x/y it is centred.", required: ["width", "height"], keys: [
        KeySpec("x", .integer(min: 0, max: ImageLimits.maxSide), "Left edge."),
        KeySpec("y", .integer(min: 0, max: ImageLimits.maxSide), "Top edge."),
        KeySpec("width", .integer(min: 1, max: ImageLimits.maxSide), "Width in pixels."),
        KeySpec("height", .integer(min: 1, max: ImageLimits.maxSide), "Height in pixels."),
    ])

    public static let insets = KeyTable("insets", "Padding per side in pixels (missing sides are 0).", keys: [
        KeySpec("top", .integer(min: 0, max: ImageLimits.maxSide), "Top."),
        KeySpec("right", .integer(min: 0, max: ImageLimits.maxSide), "Right."),
        KeySpec("bottom", .integer(min: 0, max: ImageLimits.maxSide), "Bottom."),
        KeySpec("left", .integer(min: 0, max: ImageLimits.maxSide), "Left."),
    ])

    /// The reserved keys of `matrix:`; every other key is an axis.
    public static let matrix = KeyTable("matrix", "Axes (name → list of values) plus exclude/include.", keys: [
        KeySpec("exclude", .list(of: .map(of: .scalar)), "Combinations to leave out (axis → value; partial matches too)."),
        KeySpec("include", .list(of: .map(of: .scalar)), "Extra combinations, each giving every axis."),
    ])

    /// Every table, by name.
    public static let all: [KeyTable] = [top, parameters, asset, step, generate, edit, derive, deriveItem,
                                         provider, price, cache, box, rect, insets, matrix]

    public static func table(named name: String) -> KeyTable? {
        all.first { $0.name == name }
    }
}
