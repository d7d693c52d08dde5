import NetworkAddress
import Testing

@Suite struct CloudMetadataTests {
    @Test(arguments: [
        "169.254.169.254", "::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "64:ff9b::169.254.169.254",
        "64:ff9b:1::a9fe:a9fe", "2002:a9fe:a9fe::", "2001:0:1:2:3:4:5601:5601", "fd00:ec2::254", "100.100.100.200",
        "fd20:ce::254", "169.254.170.2",
    ])
    func metadataAddressesInEveryForm(_ text: String) throws {
        let address = try #require(IPAddress(text))
        #expect(CloudMetadata.contains(address), "\(text)")
        #expect(AddressClass.of(address) == .metadata, "\(text)")
    }

    @Test(arguments: ["169.254.169.253", "169.254.170.3", "fd00:ec2::255", "64:ff9b::169.254.169.253", "8.8.8.8"])
    func neighboursAreNotMetadata(_ text: String) throws {
        #expect(!CloudMetadata.contains(try #require(IPAddress(text))), "\(text)")
    }

    @Test func hostNamesMatchThemselvesAndNamesUnderThemOnLabelBoundaries() {
        #expect(CloudMetadata.matches(host: "metadata.google.internal"))
        #expect(CloudMetadata.matches(host: "a.b.metadata.google.internal"))
        #expect(CloudMetadata.matches(host: "metadata"))
        #expect(!CloudMetadata.matches(host: "xmetadata.google.internal"))
        #expect(!CloudMetadata.matches(host: "google.internal"))
        #expect(!CloudMetadata.matches(host: "metadata.google.internal.evil.com"))
        for name in CloudMetadata.hostNames {
            #expect(name == name.lowercased() && (try? HostName.normalize(Substring(name)).host) == .domain(name))
        }
    }

    @Test func embeddedIPv4IsReadFromEachTranslationForm() throws {
        let cases: [(String, UInt32?)] = [
            ("::ffff:1.2.3.4", 0x0102_0304), ("64:ff9b::1.2.3.4", 0x0102_0304), ("64:ff9b:1::102:304", 0x0102_0304),
            ("2002:102:304::", 0x0102_0304), ("2001:0:4136:e378:8000:63bf:fefd:fcfb", 0x0102_0304),
            ("2001:db8::1", nil), ("1.2.3.4", nil), ("::1", nil),
        ]
        for (text, expected) in cases {
            #expect(try #require(IPAddress(text)).embeddedIPv4 == expected, "\(text)")
        }
    }
}
