import JSON

/// The demo agent's tools. They never touch the outside world: each answers a canned value, so
/// the demo shows what the sandbox lets through, not what a CRM or a bank would do.
enum FakeTools {
    static func crmRead(_ account: String) -> JSONValue {
        ["account_id": .string(account), "name": "Acme GmbH", "contact": "buyer@acme.example", "open_deals": 2]
    }

    static func emailDraft(to recipient: String, subject: String) -> JSONValue {
        ["draft_id": "draft-1", "to": .string(recipient), "subject": .string(subject)]
    }

    static func emailSend(to recipient: String) -> JSONValue {
        [
            "message_id": .string("msg-\(recipient.count)-fake"), "delivered_to": .string(recipient), "sent": false,
            "note": "fake tool: nothing was sent",
        ]
    }

    static func paymentsCharge(amount: Int) -> JSONValue {
        ["charged": .number(JSONNumber(amount)), "note": "fake tool: no card was charged"]
    }

    static func paymentsRefund(order: String, amount: Int) -> JSONValue {
        [
            "refund_id": .string("rf-\(order)"), "amount": .number(JSONNumber(amount)),
            "note": "fake tool: no money moved",
        ]
    }

    static func httpFetch(_ url: String) -> JSONValue {
        ["status": 200, "url": .string(url), "body": "[fake body: no request left this machine]"]
    }
}
