import Foundation

/// Holds the outcome of `kiln build --batch`'s round for the command that loops (`--wait`).
final class BatchRoundBox: @unchecked Sendable {
    var outcome: BatchRound.Outcome?
}

/// What a `--batch` build says about its batches, after the build's own summary.
enum BatchReport {
    static func lines(_ outcome: BatchRound.Outcome, now: Date = Date()) -> [String] {
        var lines = [String]()
        if !outcome.collected.isEmpty {
            lines.append("batch: collected \(outcome.stored) image(s) from \(outcome.collected.count) finished batch(es) into the cache")
        }
        for failure in outcome.failed.prefix(20) {
            lines.append("  \(failure.step): no image from batch \(failure.batch): \(failure.message)")
        }
        if outcome.failed.count > 20 { lines.append("  … and \(outcome.failed.count - 20) more (kiln batch status lists them)") }
        if let note = outcome.notCollected { lines.append("batch: " + note) }
        if outcome.uncheckedHolds > 0 {
            lines.append("warning: the remote cache did not answer whether \(outcome.uncheckedHolds) step(s) are in another machine's batch; they were built as if not")
        }
        if outcome.refusedHolds > 0 {
            lines.append("warning: \(outcome.refusedHolds) batch hold(s) or record(s) in the remote cache were not used (unsigned, altered or not Kiln's)")
        }
        if outcome.unshared > 0 {
            lines.append("warning: \(outcome.unshared) batch(es) could not be recorded in the remote cache; other machines may send their steps again (the next run tries again)")
        }
        for record in outcome.adopted {
            lines.append("batch \(record.shownID): sent from another machine (found in the remote cache) with \(record.lines.count) step(s); collected here when done, never sent again")
        }
        for record in outcome.submitted {
            lines.append("batch \(record.shownID): submitted \(record.lines.count) step(s) (\(record.endpoint), \(record.model)) at half price; "
                + "results within 24 h")
        }
        for record in outcome.running {
            lines.append("batch \(record.shownID): \(progress(record, now: now))")
        }
        if outcome.waiting > 0 {
            lines.append("batch: \(outcome.waiting) step(s) read images still in batches; they go in a later round")
        }
        for refusal in outcome.refused {
            lines.append("error: \(refusal.step): not sent in a batch again: \(refusal.message)")
        }
        if !outcome.notBatched.isEmpty {
            lines.append("note: \(outcome.notBatched.count) candidate step(s) were sent directly, at the full price: candidates are not sent in batches")
        }
        if outcome.pending, let rerun = outcome.rerun {
            lines.append("batch: run `\(rerun)` again to collect (or add --wait); nothing in a batch is sent twice")
        }
        return lines
    }

    /// `in_progress, 12/40 done, 1 failed, about 3 min left`.
    static func progress(_ record: BatchRecord, now: Date) -> String {
        var text = "\(record.status), \(record.completed)/\(max(record.total, record.lines.count)) done"
        if record.failed > 0 { text += ", \(record.failed) failed" }
        let elapsed = now.timeIntervalSince1970 - record.submittedAt
        let done = record.completed + record.failed, total = max(record.total, record.lines.count)
        if done > 0, done < total, elapsed > 0 {
            text += ", about \(duration(elapsed * Double(total - done) / Double(done))) left"
        } else if let expires = record.expiresAt {
            text += ", at the latest in \(duration(max(0, expires - now.timeIntervalSince1970)))"
        }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        if seconds < 90 { return "\(Int(seconds.rounded())) s" }
        if seconds < 5400 { return "\(Int((seconds / 60).rounded())) min" }
        return String(format: "%.1f h", seconds / 3600)
    }
}
