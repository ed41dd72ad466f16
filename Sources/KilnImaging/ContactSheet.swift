import Foundation
import KilnCore

/// One PNG grid of thumbnails, each with its label under it: what `kiln report --contact-sheet`
/// writes for a pull-request comment in CI, where a page with scripts cannot be shown.
public enum ContactSheet {
    public struct Cell: Sendable {
        /// An encoded image no larger than `cell` on either side (the gallery's thumbnails are).
        public var image: Data
        /// Plain text (markup in it is shown as written), wrapped to the cell's width.
        public var label: String

        public init(image: Data, label: String) {
            self.image = image
            self.label = label
        }
    }

    public static let cell = 256
    static let labelHeight = 44
    static let gap = 12
    /// The most cells one sheet holds (a 500-cell sheet is ~6,000 px tall already).
    public static let maximumCells = 500

    /// The sheet's size for `count` cells in `columns` columns.
    public static func size(cells count: Int, columns: Int) -> (width: Int, height: Int) {
        let columns = max(1, min(columns, count))
        let rows = (count + columns - 1) / columns
        return (columns * cell + (columns + 1) * gap, rows * (cell + labelHeight) + (rows + 1) * gap)
    }

    /// Renders `cells` left to right, top to bottom, on white; images with alpha on light grey so a
    /// white icon stays visible. Throws `ImagingError` for a cell that does not decode.
    public static func render(_ cells: [Cell], columns: Int, pool: ImagingWorkPool = .shared) async throws -> Data {
        guard !cells.isEmpty else { throw ImagingError(.operation, "a contact sheet needs at least one image") }
        guard cells.count <= maximumCells else {
            throw ImagingError(.operation, "a contact sheet holds at most \(maximumCells) images, not \(cells.count)")
        }
        return try await pool.run {
            let columns = max(1, min(columns, cells.count))
            let (width, height) = size(cells: cells.count, columns: columns)
            var sheet = try VipsImage(width: width, height: height, colour: .white, alpha: true)
            for (i, cell) in cells.enumerated() {
                let x = gap + (i % columns) * (Self.cell + gap)
                let y = gap + (i / columns) * (Self.cell + labelHeight + gap)
                var image = try VipsImage(decoding: cell.image, name: cell.label).srgb8()
                if image.width > Self.cell || image.height > Self.cell {
                    let scale = Double(Self.cell) / Double(max(image.width, image.height))
                    image = try image.resized(width: max(1, Int(Double(image.width) * scale)),
                                              height: max(1, Int(Double(image.height) * scale)))
                }
                if image.hasAlpha {
                    image = try image.flattened(onto: RGBAColor(red: 230, green: 230, blue: 230))
                }
                sheet = try sheet.compositing(try image.withAlpha(),
                                              x: x + (Self.cell - image.width) / 2, y: y + (Self.cell - image.height) / 2)
                if let text = VipsImage.text(cell.label, font: "sans 10", width: Self.cell, colour: .black) {
                    let label = text.height > labelHeight - 4 ? try text.cropped(x: 0, y: 0, width: text.width, height: labelHeight - 4) : text
                    sheet = try sheet.compositing(label, x: x, y: y + Self.cell + 4)
                }
                // Each composite adds to a lazy pipeline: compute it now and then, so a sheet of
                // hundreds stays shallow.
                if i % 16 == 15 { sheet = try sheet.materialized() }
            }
            return try sheet.flattened(onto: .white).encoded(as: .png)
        }
    }
}
