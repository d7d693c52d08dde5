import Hummingbird
import Logging

/// Gives every failure the API's error shape: a route's ``APIError`` as it is, Hummingbird's
/// own errors (no route, body too large) mapped to it, anything else a logged 500.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response
        } catch {
            let api = APIError(any: error)
            if api.status.code >= 500 {
                context.logger.error(
                    "request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            }
            return api.response
        }
    }
}
