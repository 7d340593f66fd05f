import FleetReport
import Foundation
import Hummingbird
import Logging

/// `fleetroll web`'s application, built apart from running it so the routes can be tested in
/// process. Every route is GET and reads the model; nothing here can change a host.
public enum WebApp {
    public static func router(model: WebModel, services: WebServices, settings: WebSettings) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: SecurityMiddleware(settings: settings))
        let api = APIRoutes(model: model, services: services, settings: settings)
        router.get("/") { request, _ in
            let snapshot = model.current
            guard snapshot.loaded else { return api.unavailable(snapshot) }
            let page = HostsPage(snapshot: snapshot, settings: settings, filters: services.filters(),
                                 warnings: services.logSizeWarnings(), now: Date())
            let (ok, html) = page.render(QueryParameters(request.uri.query))
            return Reply.html(html, status: ok ? .ok : .badRequest)
        }
        router.get("/hosts/{host}") { _, context in
            let name = try context.parameters.require("host")
            guard model.current.loaded else { return api.unavailable(model.current) }
            guard let view = try await HostDetailView.load(name.removingPercentEncoding ?? name, model: model, services: services,
                                                           settings: settings) else {
                return Reply.html(HTML.page(title: "fleetroll: unknown host", kind: "missing",
                                            body: "<main id=\"report\"><p class=\"error\">No such host: \(HTML.esc(name))</p>"
                                                + "<p><a href=\"/\">All hosts</a></p></main>"), status: .notFound)
            }
            return Reply.html(HostPage(view: view, settings: settings, snapshot: model.current).render())
        }
        router.get("/rollouts") { _, _ in
            let snapshot = model.current
            guard snapshot.loaded else { return api.unavailable(snapshot) }
            return Reply.html(RolloutPages(snapshot: snapshot, settings: settings).list())
        }
        router.get("/rollouts/{id}") { _, context in
            let id = try context.parameters.require("id")
            let snapshot = model.current
            guard snapshot.loaded else { return api.unavailable(snapshot) }
            let pages = RolloutPages(snapshot: snapshot, settings: settings)
            guard let page = try await model.live.rolloutPage(id: id.removingPercentEncoding ?? id) else {
                return Reply.html(pages.missing(id.removingPercentEncoding ?? id), status: .notFound)
            }
            return Reply.html(pages.page(page))
        }
        router.get("/api/health") { _, _ in api.health() }
        router.get("/api/hosts") { request, _ in api.hosts(request) }
        router.get("/api/hosts/{host}") { _, context in
            let name = try context.parameters.require("host")
            return await api.host(name.removingPercentEncoding ?? name)
        }
        router.get("/api/filters") { _, _ in api.filters() }
        router.get("/api/rollouts") { _, _ in api.rollouts() }
        router.get("/api/rollouts/{id}") { _, context in
            let id = try context.parameters.require("id")
            return await api.rollout(id.removingPercentEncoding ?? id)
        }
        router.get("/api/events") { _, _ in api.events() }
        router.get("/openapi.json") { _, _ in Reply.json(OpenAPI.document(version: settings.version)) }
        router.get("/static/app.js") { _, _ in Reply.asset(Assets.script, type: "text/javascript; charset=utf-8") }
        router.get("/static/app.css") { _, _ in Reply.asset(Assets.styles, type: "text/css; charset=utf-8") }
        router.get("/favicon.svg") { _, _ in Reply.asset(Assets.favicon, type: "image/svg+xml") }
        return router
    }

    /// The server, with the poller that keeps the model current as one of its services (it
    /// starts with the server and stops after it). `onListening` is told the bound port.
    public static func application(model: WebModel, services: WebServices, settings: WebSettings, logger: Logger,
                                   onListening: @escaping @Sendable (Int) -> Void = { _ in })
        -> Application<RouterResponder<BasicRequestContext>> {
        Application(
            router: router(model: model, services: services, settings: settings),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            services: [WebPoller(model: model)],
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? settings.port) },
            logger: logger)
    }
}
