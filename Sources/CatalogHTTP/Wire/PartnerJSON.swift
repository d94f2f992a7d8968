import CatalogCore
import Foundation

struct PartnerJSON: Encodable {
    var partnerID: String
    var partnerName: String
    var displayName: String
    var status: String
    var createdAt: Date
    var apiKey: String?

    init(_ partner: Partner, apiKey: String? = nil) {
        partnerID = partner.partnerID
        partnerName = partner.partnerName
        displayName = partner.displayName
        status = partner.status.rawValue
        createdAt = partner.createdAt
        self.apiKey = apiKey
    }

    enum CodingKeys: String, CodingKey {
        case partnerID = "partner_id", partnerName = "partner_name", displayName = "display_name", status
        case createdAt = "created_at", apiKey = "api_key"
    }
}

struct CreatePartnerBody: Decodable {
    var partnerName: String
    var displayName: String?

    enum CodingKeys: String, CodingKey {
        case partnerName = "partner_name", displayName = "display_name"
    }
}

struct UpdatePartnerBody: Decodable {
    var status: String

    enum CodingKeys: String, CodingKey { case status }
}
