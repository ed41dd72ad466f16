import Foundation
import KilnCore
@testable import KilnImaging
import Testing

/// `kiln report --contact-sheet`: real thumbnails composed into one PNG by libvips.
@Suite struct ContactSheetTests {
    @Test func cellsLandInAGridWithTheirImagesCentredAndLabelsBelow() async throws {
        let red = try TestImages.solid(200, 100, RGBAColor(red: 220, green: 0, blue: 0), as: .webp)
        let blue = try TestImages.solid(256, 256, RGBAColor(red: 0, green: 0, blue: 220))
        let clear = try TestImages.solid(64, 64, .transparent)
        let big = try TestImages.solid(600, 300, RGBAColor(red: 0, green: 160, blue: 0))   // scaled into the cell
        let cells = [ContactSheet.Cell(image: red, label: "badge@red\nicons/red.png · changed"),
                     ContactSheet.Cell(image: blue, label: "<b>&amp; not markup</b> <span foreground='red'>"),
                     ContactSheet.Cell(image: clear, label: "clear"),
                     ContactSheet.Cell(image: big, label: "big")]
        let png = try await ContactSheet.render(cells, columns: 3)
        let sheet = try TestImages.decode(png)
        let size = ContactSheet.size(cells: 4, columns: 3)
        #expect(ImageFormat(sniffing: png) == .png && (sheet.width, sheet.height) == (size.width, size.height))
        #expect(size == (3 * 256 + 4 * 12, 2 * (256 + 44) + 3 * 12))
        // Cell centres: red, blue, grey (a transparent image on light grey), then green on row two.
        let centre = { (column: Int, row: Int) in (12 + column * 268 + 128, 12 + row * 312 + 128) }
        #expect(TestImages.near(try sheet.pixel(x: centre(0, 0).0, y: centre(0, 0).1), [220, 0, 0]))
        #expect(TestImages.near(try sheet.pixel(x: centre(1, 0).0, y: centre(1, 0).1), [0, 0, 220]))
        #expect(TestImages.near(try sheet.pixel(x: centre(2, 0).0, y: centre(2, 0).1), [230, 230, 230]))
        #expect(TestImages.near(try sheet.pixel(x: centre(0, 1).0, y: centre(0, 1).1), [0, 160, 0]))
        // The red image is 200×100: white above and below it inside its cell.
        #expect(TestImages.near(try sheet.pixel(x: centre(0, 0).0, y: 12 + 20), [255, 255, 255]))
        // Each label is drawn under its cell (some dark pixels in the label band).
        var dark = 0
        for x in stride(from: 12, to: 12 + 256, by: 2) {
            for y in stride(from: 12 + 256 + 4, to: 12 + 256 + 40, by: 2) where try sheet.pixel(x: x, y: y)[0] < 128 { dark += 1 }
        }
        #expect(dark > 10, "no label under the first cell")
    }

    @Test func anEmptyOrOversizedSheetAndAnUndecodableCellAreRefused() async throws {
        await #expect(throws: ImagingError.self) { try await ContactSheet.render([], columns: 6) }
        let tiny = try TestImages.solid(4, 4, .white)
        let many = Array(repeating: ContactSheet.Cell(image: tiny, label: "x"), count: ContactSheet.maximumCells + 1)
        await #expect(throws: ImagingError.self) { try await ContactSheet.render(many, columns: 6) }
        await #expect(throws: ImagingError.self) {
            try await ContactSheet.render([ContactSheet.Cell(image: Data("not an image".utf8), label: "x")], columns: 6)
        }
    }
}
