import KilnCore
import Testing

@Suite struct CredentialsTests {
    @Test(arguments: ["GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "stripe_key", "SLACK_TOKEN_ID", "DB_PASSWORD", "db_passwd",
                      "MY_CREDENTIALS", "OAUTH_CLIENT", "apiKey", "x-auth", "OPENAI_API_KEY", "KILN_CACHE_SIGNING_KEY"])
    func credentialNamesAreRecognised(_ name: String) {
        #expect(Credentials.marker(in: name) != nil)
        #expect(!Credentials.mayRead(name, notSecret: []))
    }

    @Test(arguments: ["BRAND", "HOME", "COLOUR_SCHEME", "LANG", "CI", "BUILD_NUMBER"])
    func ordinaryNamesAreNot(_ name: String) {
        #expect(Credentials.marker(in: name) == nil)
        #expect(Credentials.mayRead(name, notSecret: []))
    }

    @Test func aHarmlessMatchCanBeOptedInButKilnsOwnKeysNever() {
        #expect(Credentials.mayRead("KEYNOTE_TITLE", notSecret: ["KEYNOTE_TITLE"]))
        #expect(!Credentials.mayRead("OPENAI_API_KEY", notSecret: ["OPENAI_API_KEY"]))
        #expect(!Credentials.mayRead("aws_session_token", notSecret: ["aws_session_token"]))
    }

    @Test func theScreenFindsValuesAndNamesOnlyTheVariable() {
        let screen = SecretScreen(environment: ["OPENAI_API_KEY": "sk-abcdefgh12345678", "GITHUB_TOKEN": "ghp_0123456789abcdefXYZ",
                                                "SHORT_TOKEN": "1", "BRAND": "a-long-brand-value-here"])
        #expect(screen.variable(foundIn: "a prompt with sk-abcdefgh12345678 inside") == "OPENAI_API_KEY")
        #expect(screen.variable(foundIn: "path/ghp_0123456789abcdefXYZ.png") == "GITHUB_TOKEN")
        #expect(screen.variable(foundIn: "1 cat") == nil, "short values of credential variables would match everything")
        #expect(screen.variable(foundIn: "a-long-brand-value-here") == nil, "BRAND is not a credential")
        #expect(SecretScreen(environment: [:]).isEmpty)
    }
}
