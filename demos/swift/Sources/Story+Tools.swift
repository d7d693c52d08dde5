import JSON

/// The steps with one call each: the sandbox allows, denies or limits, and says why.
extension Story {
    func readTheCRM() async {
        narrator.section("1. sales_assistant reads a customer from the CRM")
        await attempt("crm-read", sales, "crm.read", ["account_id": "ACME-042"]) {
            FakeTools.crmRead("ACME-042")
        }
    }

    func chargeACard() async {
        narrator.section("3. sales_assistant tries to charge the customer's card")
        await attempt("payment", sales, "payments.charge", ["amount": 4900, "currency": "USD"]) {
            FakeTools.paymentsCharge(amount: 4900)
        }
    }

    func fetchOverHTTP() async {
        narrator.section("4. sales_assistant makes HTTP requests: the company API, then a paste site")
        for (step, method, url) in [
            ("http-allowed", "GET", "https://api.company.com/customers?limit=5"),
            ("http-denied", "POST", "https://pastebin.com/api/api_post.php"),
        ] {
            narrator.agent("\(method) \(url)")
            let decision = await sales.httpRequest(method: method, url: url)
            narrator.decision(step, decision)
            await log.record(step, agent: sales.agentID, decision)
            if decision.isAllowed { narrator.tool(FakeTools.httpFetch(url)) }
        }
    }

    func goTooDeep() async {
        narrator.section("5. A sub-agent five levels down asks for the CRM (the policy allows depth 4)")
        await attempt("chain-depth", sales, "crm.read", ["account_id": "ACME-042"], chainDepth: 5) {
            FakeTools.crmRead("ACME-042")
        }
    }

    func spendTheBudget() async {
        narrator.section("7. billing_assistant issues refunds: its policy allows 3 calls a day")
        for number in 1...4 {
            let order = "ORD-10000\(number)"
            await attempt(
                "refund-\(number)", billing, "payments.refund",
                ["order_id": .string(order), "amount": 25, "currency": "EUR"], budget: true
            ) {
                FakeTools.paymentsRefund(order: order, amount: 25)
            }
        }
    }
}
