import KilnCore

extension OutputManifest {
    /// The output manifest's JSON Schema (draft 2020-12). Objects are closed
    /// (`additionalProperties: false`), so a key written but not described is a schema error;
    /// a test checks every key the engine writes against it.
    public static func jsonSchema() -> JSONValue {
        [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://kiln.dev/schemas/output-manifest-v1.json",
            "title": "Kiln output manifest",
            "description": "Every file a build wrote, every step that failed or did not run, and totals.",
            "type": "object",
            "additionalProperties": false,
            "required": ["version", "files", "steps", "totals"],
            "properties": [
                "version": ["const": .number(Double(currentVersion)), "description": "Format version."],
                "files": array(ref("file"), "Files written, sorted by path."),
                "steps": array(ref("step"), "Steps that failed or did not run, sorted by step id."),
                "totals": ref("totals"),
            ],
            "$defs": [
                "stepID": ["type": "string", "pattern": "^[^/]+/[^/]+/[^/]+$",
                           "description": "pipeline/asset[@variant]/step"],
                "file": fileSchema,
                "step": stepSchema,
                "totals": totalsSchema,
                "usage": usageSchema,
                "cost": object([
                    "usd": number("US dollars."),
                    "basis": enumeration(["actual", "estimated", "none"], "How the figure was obtained."),
                ], required: ["usd", "basis"]),
                "parameters": parametersSchema,
                "derive": deriveSchema,
            ],
        ]
    }

    package static var fileSchema: JSONValue {
        object([
            "path": string("Relative to the output directory, with / separators."),
            "step": ref("stepID"), "asset": string("pipeline/asset"),
            "variant": string("The variant's readable id; absent without a matrix."),
            "variant_values": ["type": "object", "additionalProperties": ["type": "string"],
                               "description": "The matrix values of the step's variant."],
            "index": integer("Which of the step's n images this file holds (0-based)."),
            "sha256": ["type": "string", "pattern": "^[0-9a-f]{64}$"],
            "bytes": integer("File size."), "width": integer("Pixels."), "height": integer("Pixels."),
            "format": enumeration(ImageFormat.allCases.map(\.rawValue), "Encoding, as decoded."),
            "alpha": boolean("Whether the image has an alpha channel."),
            "kind": enumeration(StepKind.allCases.map(\.rawValue), "What the step did."),
            "provider": string("Provider name; absent for derive."), "model": string("Model; absent for derive."),
            "prompt": string("The rendered prompt; absent for derive."),
            "parameters": ref("parameters"), "derive": ref("derive"),
            "resolved": ["type": "object", "additionalProperties": ["type": "string"],
                         "description": "Values the service reported it used."],
            "cache_key": ["type": "string", "pattern": "^[0-9a-f]+$"],
            "usage": ref("usage"), "cost": ref("cost"),
            "request_id": string("The provider's request id."),
            "duration_ms": integer("Wall time of the step; absent when durations are not recorded."),
            "from_cache": boolean("Whether the result came from the cache (no call made)."),
            "adopted": boolean("True when `kiln adopt` recorded an existing file as the step's result: no call, no request id, cost 0 (basis none). Absent otherwise."),
        ], required: ["path", "step", "asset", "variant_values", "index", "sha256", "bytes", "width", "height",
                      "format", "alpha", "kind", "cache_key", "cost", "from_cache"])
    }

    package static var stepSchema: JSONValue {
        object([
            "step": ref("stepID"),
            "kind": enumeration(StepKind.allCases.map(\.rawValue), "What the step does."),
            "status": enumeration(["failed", "skipped", "cancelled", "not_run"], "Why it has no files."),
            "error": string("What went wrong, for a person."),
            "because": ref("stepID"),
            "cache_key": ["type": "string", "pattern": "^[0-9a-f]+$"],
            "outputs": array(string("Relative path."), "Files the step would have written."),
        ], required: ["step", "kind", "status", "error", "cache_key", "outputs"])
    }

    package static var totalsSchema: JSONValue {
        object([
            "steps": integer("Steps in the plan."), "files": integer("Files written."),
            "bytes": integer("Bytes written."), "cost_usd": number("Spent by this build (cache hits count zero)."),
            "usage": ref("usage"), "built": integer("Steps run."), "cached": integer("Steps from cache."),
            "up_to_date": integer("Steps not run: their files were current."),
            "failed": integer("Steps failed or cancelled."), "skipped": integer("Steps not run."),
        ], required: ["steps", "files", "bytes", "cost_usd", "built", "cached", "up_to_date", "failed",
                     "skipped"])
    }

    package static var usageSchema: JSONValue {
        object([
            "input_tokens": integer(nil), "output_tokens": integer(nil), "total_tokens": integer(nil),
            "input_text_tokens": integer(nil), "input_image_tokens": integer(nil),
        ], required: ["input_tokens", "output_tokens", "total_tokens"])
    }

    /// From the parameter table (`ImageParameters.fields`).
    package static var parametersSchema: JSONValue { ImageParameters.schema }

    package static var deriveSchema: JSONValue {
        object([
            "crop": object(["x": integer(nil), "y": integer(nil), "width": integer(nil), "height": integer(nil)],
                           required: ["width", "height"]),
            "resize": object(["width": integer(nil), "height": integer(nil),
                              "fit": enumeration(ResizeFit.allCases.map(\.rawValue), nil), "upscale": boolean(nil)],
                             required: ["fit", "upscale"]),
            "pad": object(["top": integer(nil), "right": integer(nil), "bottom": integer(nil), "left": integer(nil)],
                          required: ["top", "right", "bottom", "left"]),
            "background": string("#rrggbb or #rrggbbaa"),
            "format": enumeration(ImageFormat.allCases.map(\.rawValue), nil),
            "quality": integer(nil), "strip": boolean(nil),
        ], required: ["format", "strip"])
    }

    // MARK: - Builders

    package static func object(_ properties: [String: JSONValue], required: [String]) -> JSONValue {
        ["type": "object", "additionalProperties": false, "properties": .object(properties.sorted { $0.key < $1.key }),
         "required": .array(required.map { .string($0) })]
    }

    package static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/$defs/\(name)")] }

    package static func typed(_ type: String, _ description: String?) -> JSONValue {
        var o: [(String, JSONValue)] = [("type", .string(type))]
        if let description { o.append(("description", .string(description))) }
        return .object(o)
    }

    package static func string(_ d: String?) -> JSONValue { typed("string", d) }
    package static func integer(_ d: String?) -> JSONValue { typed("integer", d) }
    package static func number(_ d: String?) -> JSONValue { typed("number", d) }
    package static func boolean(_ d: String?) -> JSONValue { typed("boolean", d) }

    package static func array(_ items: JSONValue, _ description: String) -> JSONValue {
        ["type": "array", "items": items, "description": .string(description)]
    }

    package static func enumeration(_ values: [String], _ description: String?) -> JSONValue {
        var o: [(String, JSONValue)] = [("type", "string"), ("enum", .array(values.map { .string($0) }))]
        if let description { o.append(("description", .string(description))) }
        return .object(o)
    }
}
