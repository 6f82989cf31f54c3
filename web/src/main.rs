//! The page's entry point; `trunk` builds this binary into the bundle.

fn main() {
    swarm_web::start();
}
