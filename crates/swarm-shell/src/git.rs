//! `git`, for the labs that start with `git clone`: the "Swarm stack introduction" lab (seed
//! `001`) clones `docker/example-voting-app` and deploys its `docker-stack.yml`. The
//! playground has no network, so `clone` knows a few repositories by heart ([`REPOS`]) and
//! writes their files into the machine's filesystem, with git's progress lines; any other URL
//! fails as git does on a host that cannot resolve `github.com`. `git --version` answers;
//! other subcommands say they are not emulated.

use swarm_core::SimDuration;

use crate::exec::{Interp, Io};

/// A repository `git clone` can fetch: the URLs that name it (without `https://`, `.git` or a
/// trailing `/`), git's object counts, and its files.
struct Repo {
    urls: &'static [&'static str],
    objects: u32,
    deltas: u32,
    size: &'static str,
    files: &'static [(&'static str, &'static str)],
}

const REPOS: &[Repo] = &[Repo {
    urls: &[
        "github.com/dockersamples/example-voting-app",
        "github.com/docker/example-voting-app",
    ],
    objects: 1227,
    deltas: 447,
    size: "1.21 MiB | 9.87 MiB/s",
    files: &[
        ("README.md", VOTING_README),
        ("docker-compose.yml", VOTING_COMPOSE),
        ("docker-stack.yml", VOTING_STACK),
        (
            "LICENSE",
            "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n",
        ),
        (
            "MAINTAINERS",
            "Bret Fisher <bret@bretfisher.com> (@bretfisher)\n",
        ),
        ("healthchecks/postgres.sh", VOTING_PG_CHECK),
        ("healthchecks/redis.sh", VOTING_REDIS_CHECK),
        ("vote/Dockerfile", VOTING_VOTE_DOCKERFILE),
        ("vote/requirements.txt", "Flask\nRedis\ngunicorn\n"),
        ("result/Dockerfile", VOTING_RESULT_DOCKERFILE),
        ("worker/Dockerfile", VOTING_WORKER_DOCKERFILE),
        ("seed-data/Dockerfile", VOTING_SEED_DOCKERFILE),
    ],
}];

const VOTING_README: &str = "# Example Voting App

A simple distributed application running across multiple Docker containers.

## Getting started

Download [Docker Desktop](https://www.docker.com/products/docker-desktop) for Mac or Windows. [Docker Compose](https://docs.docker.com/compose) will be automatically installed. On Linux, make sure you have the latest version of [Compose](https://docs.docker.com/compose/install/).

This solution uses Python, Node.js, .NET, with Redis for messaging and Postgres for storage.

Run in this directory to build and run the app:

```shell
docker compose up
```

The `vote` app will be running at [http://localhost:8080](http://localhost:8080), and the `results` will be at [http://localhost:8081](http://localhost:8081).

Alternately, if you want to run it on a [Docker Swarm](https://docs.docker.com/engine/swarm/), first make sure you have a swarm. If you don't, run:

```shell
docker swarm init
```

Once you have your swarm, in this directory run:

```shell
docker stack deploy --compose-file docker-stack.yml vote
```

## Architecture

* A front-end web app in [Python](/vote) which lets you vote between two options
* A [Redis](https://hub.docker.com/_/redis/) which collects new votes
* A [.NET](/worker/) worker which consumes votes and stores them in…
* A [Postgres](https://hub.docker.com/_/postgres/) database backed by a Docker volume
* A [Node.js](/result) web app which shows the results of the voting in real time

## Notes

The voting application only accepts one vote per client browser. It does not register additional votes if a vote has already been submitted from a client.

This isn't an example of a properly architected perfectly designed distributed app... it's just a
simple example of the various types of pieces and languages you might see (queues, persistent
data, etc), and how to deal with them in Docker at a basic level.
";

const VOTING_STACK: &str = "# this file is meant for Docker Swarm stacks only
# trying it in compose will fail because of multiple replicas trying to bind to the same port
# Swarm currently does not support Compose Spec, so we'll pin to the older version 3.9

version: \"3.9\"

services:

  redis:
    image: redis:alpine
    networks:
      - frontend

  db:
    image: postgres:15-alpine
    environment:
      POSTGRES_USER: \"postgres\"
      POSTGRES_PASSWORD: \"postgres\"
    volumes:
      - db-data:/var/lib/postgresql/data
    networks:
      - backend

  vote:
    image: dockersamples/examplevotingapp_vote
    ports:
      - 8080:80
    networks:
      - frontend
    deploy:
      replicas: 2

  result:
    image: dockersamples/examplevotingapp_result
    ports:
      - 8081:80
    networks:
      - backend

  worker:
    image: dockersamples/examplevotingapp_worker
    networks:
      - frontend
      - backend
    deploy:
      replicas: 2

networks:
  frontend:
  backend:

volumes:
  db-data:
";

const VOTING_COMPOSE: &str = "# version is now using \"compose spec\"
# v2 and v3 are now combined!
# docker-compose v1.27+ required

services:
  vote:
    build:
      context: ./vote
      target: dev
    depends_on:
      redis:
        condition: service_healthy
    healthcheck:
      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost\"]
      interval: 15s
      timeout: 5s
      retries: 3
      start_period: 10s
    volumes:
     - ./vote:/usr/local/app
    ports:
      - \"8080:80\"
    networks:
      - front-tier
      - back-tier

  result:
    build: ./result
    # use nodemon rather than node for local dev
    entrypoint: nodemon --inspect=0.0.0.0 server.js
    depends_on:
      db:
        condition: service_healthy
    volumes:
      - ./result:/usr/local/app
    ports:
      - \"8081:80\"
      - \"127.0.0.1:9229:9229\"
    networks:
      - front-tier
      - back-tier

  worker:
    build:
      context: ./worker
    depends_on:
      redis:
        condition: service_healthy
      db:
        condition: service_healthy
    networks:
      - back-tier

  redis:
    image: redis:alpine
    volumes:
      - \"./healthchecks:/healthchecks\"
    healthcheck:
      test: /healthchecks/redis.sh
      interval: \"5s\"
    networks:
      - back-tier

  db:
    image: postgres:15-alpine
    environment:
      POSTGRES_USER: \"postgres\"
      POSTGRES_PASSWORD: \"postgres\"
    volumes:
      - \"db-data:/var/lib/postgresql/data\"
      - \"./healthchecks:/healthchecks\"
    healthcheck:
      test: /healthchecks/postgres.sh
      interval: \"5s\"
    networks:
      - back-tier

  # this service runs once to seed the database with votes
  # it won't run unless you specify the \"seed\" profile
  # docker compose --profile seed up -d
  seed:
    build: ./seed-data
    profiles: [\"seed\"]
    depends_on:
      vote:
        condition: service_healthy
    networks:
      - front-tier
    restart: \"no\"

volumes:
  db-data:

networks:
  front-tier:
  back-tier:
";

const VOTING_PG_CHECK: &str = "#!/bin/bash
set -eo pipefail

host=\"$(hostname -i || echo '127.0.0.1')\"
user=\"${POSTGRES_USER:-postgres}\"
db=\"${POSTGRES_DB:-$POSTGRES_USER}\"
export PGPASSWORD=\"${POSTGRES_PASSWORD:-}\"

args=(
\t# force postgres to not use the local unix socket (test \"external\" connectibility)
\t--host \"$host\"
\t--username \"$user\"
\t--dbname \"$db\"
\t--quiet --no-align --tuples-only
)

if select=\"$(echo 'SELECT 1' | psql \"${args[@]}\")\" && [ \"$select\" = '1' ]; then
\texit 0
fi

exit 1
";

const VOTING_REDIS_CHECK: &str = "#!/bin/sh
set -eo pipefail

host=\"$(hostname -i || echo '127.0.0.1')\"

if ping=\"$(redis-cli -h \"$host\" ping)\" && [ \"$ping\" = 'PONG' ]; then
\texit 0
fi

exit 1
";

const VOTING_VOTE_DOCKERFILE: &str = "# Define a base stage that uses the official python runtime base image
FROM python:3.11-slim AS base

# Add curl for healthcheck
RUN apt-get update && \\
    apt-get install -y --no-install-recommends curl && \\
    rm -rf /var/lib/apt/lists/*

# Set the application directory
WORKDIR /usr/local/app

# Install our requirements.txt
COPY requirements.txt ./requirements.txt
RUN pip install --no-cache-dir -r requirements.txt

# Define a stage specifically for development, where it'll watch for
# filesystem changes
FROM base AS dev
RUN pip install watchdog
ENV FLASK_ENV=development
CMD [\"python\", \"app.py\"]

# Define the final stage that will bundle the application for production
FROM base AS final

# Copy our code from the current folder to the working directory inside the container
COPY . .

# Make port 80 available for links and/or publish
EXPOSE 80

# Define our command to be run when launching the container
CMD [\"gunicorn\", \"app:app\", \"-b\", \"0.0.0.0:80\", \"--log-file\", \"-\", \"--access-logfile\", \"-\", \"--workers\", \"4\", \"--keep-alive\", \"0\"]
";

const VOTING_RESULT_DOCKERFILE: &str = "FROM node:18-slim

# add curl for healthcheck
RUN apt-get update && \\
    apt-get install -y --no-install-recommends curl tini && \\
    rm -rf /var/lib/apt/lists/*

WORKDIR /usr/local/app

# have nodemon available for local dev use (file watching)
RUN npm install -g nodemon

COPY package*.json ./

RUN npm ci && \\
 npm cache clean --force && \\
 mv /usr/local/app/node_modules /node_modules

COPY . .

ENV PORT=80
EXPOSE 80

ENTRYPOINT [\"/usr/bin/tini\", \"--\"]
CMD [\"node\", \"server.js\"]
";

const VOTING_WORKER_DOCKERFILE: &str =
    "FROM --platform=${BUILDPLATFORM} mcr.microsoft.com/dotnet/sdk:7.0 AS build
ARG TARGETPLATFORM
ARG TARGETARCH
ARG BUILDPLATFORM
RUN echo \"I am running on $BUILDPLATFORM, building for $TARGETPLATFORM\"

WORKDIR /source
COPY *.csproj .
RUN dotnet restore -a $TARGETARCH

COPY . .
RUN dotnet publish -c release -o /app -a $TARGETARCH --self-contained false --no-restore

# app image
FROM mcr.microsoft.com/dotnet/runtime:7.0
WORKDIR /app
COPY --from=build /app .
ENTRYPOINT [\"dotnet\", \"Worker.dll\"]
";

const VOTING_SEED_DOCKERFILE: &str = "FROM python:3.9-slim

# add apache bench (ab) tool
RUN apt-get update \\
    && apt-get install -y --no-install-recommends \\
    apache2-utils \\
    && rm -rf /var/lib/apt/lists/*

WORKDIR /seed

COPY . .

# create POST data files with ab friendly formats
RUN python make-data.py

CMD [\"/seed/generate-votes.sh\"]
";

const USAGE: &str = "usage: git [-v | --version] [-h | --help] [-C <path>] [-c <name>=<value>]
           [--exec-path[=<path>]] [--html-path] [--man-path] [--info-path]
           [-p | --paginate | -P | --no-pager] [--no-replace-objects] [--no-lazy-fetch]
           [--no-optional-locks] [--no-advice] [--bare] [--git-dir=<path>]
           [--work-tree=<path>] [--namespace=<name>] [--config-env=<name>=<envvar>]
           <command> [<args>]
";

/// `git ARGS`.
pub(crate) async fn git(interp: &Interp, args: &[String], io: &Io) -> i32 {
    match args.first().map(String::as_str) {
        None => {
            io.out.write(USAGE);
            1
        }
        Some("--version" | "-v" | "version") => {
            io.out.write("git version 2.47.2\n");
            0
        }
        Some("clone") => clone(interp, &args[1..], io).await,
        Some(other) if other.starts_with('-') => {
            io.err.write(&format!("unknown option: {other}\n{USAGE}"));
            129
        }
        Some(other) => {
            io.err.write(&format!(
                "git {other}: not emulated by Swarm Playground yet (git clone is)\n"
            ));
            1
        }
    }
}

/// The repository a clone URL names: `https://github.com/o/r(.git)(/)`, `git@github.com:o/r`.
fn repo_for(url: &str) -> Option<&'static Repo> {
    let u = url
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("git://")
        .replacen("git@github.com:", "github.com/", 1)
        .to_ascii_lowercase();
    REPOS.iter().find(|r| r.urls.contains(&u.as_str()))
}

/// The directory git derives from a URL: its last component without `.git`.
fn default_dir(url: &str) -> String {
    let u = url.trim_end_matches('/');
    let last = u.rsplit(['/', ':']).next().unwrap_or(u);
    last.strip_suffix(".git").unwrap_or(last).to_string()
}

async fn clone(interp: &Interp, args: &[String], io: &Io) -> i32 {
    let mut quiet = false;
    let mut operands: Vec<&String> = Vec::new();
    let mut i = 0;
    while let Some(a) = args.get(i) {
        i += 1;
        match a.as_str() {
            "-q" | "--quiet" => quiet = true,
            "--depth" | "-b" | "--branch" | "-o" | "--origin" => i += 1,
            _ if a.starts_with("--") => {}
            _ if a.starts_with('-') && a.len() > 1 => {}
            _ => operands.push(a),
        }
    }
    let Some(url) = operands.first() else {
        io.err
            .write("fatal: You must specify a repository to clone.\n\nusage: git clone [<options>] [--] <repo> [<dir>]\n");
        return 129;
    };
    if url.is_empty() {
        io.err.write("fatal: repository '' does not exist\n");
        return 128;
    }
    let dir = operands
        .get(1)
        .map(|d| d.to_string())
        .unwrap_or_else(|| default_dir(url));
    if dir.is_empty() {
        io.err
            .write("fatal: could not create work tree dir '': No such file or directory\n");
        return 128;
    }
    if let Ok(meta) = crate::fsutils::stat(interp, &dir) {
        let empty =
            meta.is_dir() && crate::fsutils::list(interp, &dir).is_some_and(|l| l.is_empty());
        if !empty {
            io.err.write(&format!(
                "fatal: destination path '{dir}' already exists and is not an empty directory.\n"
            ));
            return 128;
        }
    }
    if let Err(e) = crate::fsutils::mkdir_p(interp, &dir) {
        io.err.write(&format!(
            "fatal: could not create leading directories of '{dir}': {e}\n"
        ));
        return 128;
    }
    if !quiet {
        io.err.write(&format!("Cloning into '{dir}'...\n"));
    }
    let Some(repo) = repo_for(url) else {
        interp.sleep(SimDuration::from_millis(30)).await;
        let shown = if url.starts_with("http") {
            format!("{}/", url.trim_end_matches('/'))
        } else {
            url.to_string()
        };
        let host = url
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .split(['/', ':'])
            .next()
            .unwrap_or_default()
            .trim_start_matches("git@")
            .to_string();
        io.err.write(&format!(
            "fatal: unable to access '{shown}': Could not resolve host: {host}\n"
        ));
        // git removes the directory it made for the clone.
        let _ = crate::fsutils::remove_empty_dir(interp, &dir);
        return 128;
    };
    interp.sleep(SimDuration::from_millis(900)).await;
    if !quiet {
        let (n, d) = (repo.objects, repo.deltas);
        let reused = n - n / 5;
        io.err.write(&format!(
            "remote: Enumerating objects: {n}, done.\nremote: Counting objects: 100% ({c}/{c}), done.\nremote: Compressing objects: 100% ({k}/{k}), done.\nremote: Total {n} (delta {d2}), reused {r2} (delta {d3}), pack-reused {reused} (from 1)\nReceiving objects: 100% ({n}/{n}), {size}, done.\nResolving deltas: 100% ({d}/{d}), done.\n",
            c = n / 5,
            k = n / 10,
            d2 = d / 8,
            r2 = n / 10,
            d3 = d / 10,
            size = repo.size,
        ));
    }
    let mut failed = None;
    for (path, text) in repo.files {
        let full = format!("{dir}/{path}");
        if let Some((parent, _)) = full.rsplit_once('/') {
            if let Err(e) = crate::fsutils::mkdir_p(interp, parent) {
                failed = Some(format!("{parent}: {e}"));
                break;
            }
        }
        if let Err(e) = crate::fsutils::write_file(interp, &full, text, false) {
            failed = Some(format!("{full}: {e}"));
            break;
        }
    }
    if let Some(why) = failed {
        io.err.write(&format!(
            "fatal: could not create work tree dir '{dir}': {why}\n"
        ));
        return 128;
    }
    0
}
