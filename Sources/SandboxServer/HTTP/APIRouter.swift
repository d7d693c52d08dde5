import Hummingbird
import SandboxSigning

/// Every route the node serves (`docs/openapi.yaml` describes each one; a test checks it),
/// behind the middleware that gives every failure the API's error shape.
enum APIRouter {
    static func make(node: SandboxNode, keys: KeyRing) -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: APIErrorMiddleware())
        ClusterRoutes.add(to: router, node: node)
        DecisionRoutes.add(to: router, node: node)
        LocalDenialRoutes.add(to: router, node: node)
        TenantRoutes.add(to: router, node: node)
        AgentRoutes.add(to: router, node: node)
        TokenRoutes.add(to: router, node: node)
        MembershipRoutes.add(to: router, node: node)
        MetricsRoute.add(to: router, node: node)
        for add in [ApprovalRoutes.add, ConsoleRoutes.add, AuditRoutes.add, BudgetRoutes.add] { add(router, node) }
        PolicyRoutes.add(to: router, node: node, keys: keys)
        KeyRoutes.add(to: router, keys: keys)
        SimulationRoutes.add(to: router, node: node)
        ConsoleWeb.add(to: router, node: node, keys: keys)
        return router
    }
}
