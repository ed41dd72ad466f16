import ArgumentParser

public struct Kiln: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "kiln", abstract: "Build image assets from YAML manifests.")
    public init() {}
}
