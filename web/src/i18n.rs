//! The page's languages: English and Russian for everything the page itself says (buttons,
//! labels, titles, notices, empty states). Docker's output, command names and whatever a
//! terminal shows stay as they are: the real CLI speaks English.
//!
//! - [`Lang`]: the language; [`detect`] picks it from the stored choice (localStorage,
//!   [`STORAGE_KEY`]) or else from `navigator.languages` (`ru*` → Russian, else English).
//! - [`t`]: a text by its key ([`K`]); [`fill`] puts values into `{0}`, `{1}`… placeholders;
//!   [`count`] writes "5 tasks" / «5 задач» with the language's plural rule ([`plural_ru`] is
//!   CLDR's rule for Russian: one, few, many).
//! - [`current`] is the language of the page for code that has no props (notices, the panic
//!   notice); [`set`] changes it, stores the choice and updates `<html lang>`.

use std::cell::Cell;

/// Where the reader's choice is kept.
pub const STORAGE_KEY: &str = "swarm-playground.lang";

/// A language of the page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Russian.
    Ru,
}

impl Lang {
    /// Both, in the switch's order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    /// The BCP 47 code (`en`, `ru`), as `<html lang>` takes it.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// The switch's label.
    pub fn label(self) -> &'static str {
        match self {
            Lang::En => "EN",
            Lang::Ru => "RU",
        }
    }

    /// The language of a code (`ru`, `ru-RU`, `en-GB`…): Russian for `ru*`, else English.
    pub fn from_code(code: &str) -> Lang {
        if code.trim().to_ascii_lowercase().starts_with("ru") {
            Lang::Ru
        } else {
            Lang::En
        }
    }

    fn stored(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }
}

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// The page's language now.
pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn set_html_lang(lang: Lang) {
    if let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = html.set_attribute("lang", lang.code());
    }
}

/// The language the page starts in: the stored choice, else the browser's first language
/// that is English or Russian (`navigator.languages`), else English. It becomes
/// [`current`] and `<html lang>`.
pub fn detect() -> Lang {
    let stored = storage()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|c| Lang::stored(&c));
    let lang = stored.unwrap_or_else(|| {
        let languages: Vec<String> = web_sys::window()
            .map(|w| w.navigator().languages())
            .map(|a| a.iter().filter_map(|v| v.as_string()).collect())
            .unwrap_or_default();
        from_languages(&languages)
    });
    CURRENT.with(|c| c.set(lang));
    set_html_lang(lang);
    lang
}

/// The language for the browser's list of languages: the first that is English or Russian
/// decides; English if none is.
pub fn from_languages<S: AsRef<str>>(languages: &[S]) -> Lang {
    languages
        .iter()
        .map(|l| l.as_ref().trim().to_ascii_lowercase())
        .find(|l| l.starts_with("ru") || l.starts_with("en"))
        .map_or(Lang::En, |l| Lang::from_code(&l))
}

/// The reader chose `lang`: it becomes [`current`], is stored (it wins over the browser's
/// languages from now on) and goes to `<html lang>`.
pub fn set(lang: Lang) {
    CURRENT.with(|c| c.set(lang));
    if let Some(s) = storage() {
        let _ = s.set_item(STORAGE_KEY, lang.code());
    }
    set_html_lang(lang);
}

/// Forgets the stored choice (the browser's languages decide again on the next load).
pub fn forget() {
    if let Some(s) = storage() {
        let _ = s.remove_item(STORAGE_KEY);
    }
}

/// CLDR's plural categories that Russian uses for whole numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PluralRu {
    /// 1, 21, 31…, 101 (not 11): «1 задача».
    One,
    /// 2–4, 22–24… (not 12–14): «2 задачи».
    Few,
    /// 0, 5–20, 25–30…, 11–14: «5 задач».
    Many,
}

/// CLDR's rule for Russian integers: one if n mod 10 = 1 and n mod 100 ≠ 11; few if n mod 10
/// is 2–4 and n mod 100 is not 12–14; many otherwise.
pub fn plural_ru(n: u64) -> PluralRu {
    let (d, h) = (n % 10, n % 100);
    if d == 1 && h != 11 {
        PluralRu::One
    } else if (2..=4).contains(&d) && !(12..=14).contains(&h) {
        PluralRu::Few
    } else {
        PluralRu::Many
    }
}

/// Nouns that are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Noun {
    /// Tasks on a machine.
    Task,
    /// Managers of a swarm.
    Manager,
    /// Characters of a link.
    Character,
    /// Machines.
    Machine,
    /// Seconds.
    Second,
    /// Raft log entries.
    Entry,
}

impl Noun {
    /// English singular and plural; Russian one, few, many.
    fn forms(self) -> ([&'static str; 2], [&'static str; 3]) {
        match self {
            Noun::Task => (["task", "tasks"], ["задача", "задачи", "задач"]),
            Noun::Manager => (
                ["manager", "managers"],
                ["менеджер", "менеджера", "менеджеров"],
            ),
            Noun::Character => (
                ["character", "characters"],
                ["символ", "символа", "символов"],
            ),
            Noun::Machine => (["machine", "machines"], ["машина", "машины", "машин"]),
            Noun::Second => (["second", "seconds"], ["секунда", "секунды", "секунд"]),
            Noun::Entry => (["entry", "entries"], ["запись", "записи", "записей"]),
        }
    }
}

/// The noun's form for `n` (without the number).
pub fn noun(lang: Lang, n: u64, what: Noun) -> &'static str {
    let (en, ru) = what.forms();
    match lang {
        Lang::En => en[usize::from(n != 1)],
        Lang::Ru => match plural_ru(n) {
            PluralRu::One => ru[0],
            PluralRu::Few => ru[1],
            PluralRu::Many => ru[2],
        },
    }
}

/// `n` and its noun: "1 task", "5 tasks"; «1 задача», «2 задачи», «5 задач».
pub fn count(lang: Lang, n: u64, what: Noun) -> String {
    format!("{n} {}", noun(lang, n, what))
}

/// `template` with `{0}`, `{1}`… replaced by `args` (as text, never markup).
pub fn fill(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let arg = after.find('}').and_then(|close| {
            after[..close]
                .parse::<usize>()
                .ok()
                .and_then(|i| args.get(i))
                .map(|a| (close, a))
        });
        match arg {
            Some((close, a)) => {
                out.push_str(&a.to_string());
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `t(lang, key)` filled with `args`.
pub fn tf(lang: Lang, key: K, args: &[&dyn std::fmt::Display]) -> String {
    fill(t(lang, key), args)
}

/// The quorum's verdict in words, from the view model's counts.
pub fn quorum_summary(
    lang: Lang,
    reachable: usize,
    voters: usize,
    needed: usize,
    has_leader: bool,
) -> String {
    let (r, v, n) = (reachable, voters, needed);
    if voters == 0 {
        t(lang, K::NoManagers).to_string()
    } else if reachable >= needed {
        let mut s = match lang {
            Lang::En => format!("{r} of {v} managers reachable: quorum holds"),
            Lang::Ru => format!("Доступно менеджеров: {r} из {v} — кворум есть"),
        };
        if !has_leader {
            s.push_str(t(lang, K::ElectingLeader));
        }
        s
    } else {
        match lang {
            Lang::En => format!(
                "quorum lost: the swarm cannot change until {n} of {v} managers are back \
                 ({r} reachable now)"
            ),
            Lang::Ru => format!(
                "Кворум потерян: кластер нельзя изменить, пока не вернутся менеджеры \
                 (нужно {n} из {v}, сейчас доступно {r})"
            ),
        }
    }
}

/// Declares [`K`] and [`K::ALL`], every key in order, from one list (so a test can ask
/// both languages for every key, and a new key cannot be left out of it).
macro_rules! keys {
    ($(#[$meta:meta])* pub enum K { $($(#[$vmeta:meta])* $v:ident),* $(,)? }) => {
        $(#[$meta])*
        pub enum K { $($(#[$vmeta])* $v,)* }

        impl K {
            /// Every key, in declaration order.
            pub const ALL: &'static [K] = &[$(K::$v),*];
        }
    };
}

keys! {
/// The texts of the page, by key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum K {
    // App: sidebar, layout.
    CouldNotStart,
    Tagline,
    /// `{0}`: how many.
    Instances,
    AddInstance,
    StartFromTemplate,
    Tpl3m2w,
    Tpl5m,
    Tpl1m1w,
    Tpl1m2w,
    Tpl1Empty,
    Machines,
    Show,
    NoMachines,
    MachineGone,
    Language,
    // Machines.
    PowerOn,
    PowerOff,
    PowerOnShort,
    PowerOffShort,
    Ready,
    Down,
    Unknown,
    Manager,
    Worker,
    RaftLeader,
    Leader,
    PoweredOff,
    Booting,
    Locked,
    /// `{0}`: machine.
    Remove,
    /// `{0}`: machine.
    RemoveTitle,
    // Time.
    SimulatedTime,
    SimTime,
    SimTimeTitle,
    Paused,
    Play,
    Pause,
    StepTitle,
    /// `{0}`: seed.
    Seed,
    Speed,
    // Tabs and views.
    RecentMachines,
    HideViews,
    ShowViews,
    Views,
    Cluster,
    Quorum,
    Traffic,
    Browser,
    // Cluster view.
    NoSwarmRun,
    NoSwarmRest,
    ServiceFilter,
    All,
    OnlyRunning,
    /// `{0}`: swarm ID.
    SwarmTitle,
    /// `{0}`: swarm ID.
    SwarmAria,
    NoLeader,
    Services,
    PendingTasks,
    /// `{0}`: how many.
    PendingCount,
    WaitingScheduler,
    /// `{0}`: how many tasks have no chip (or are not listed).
    MoreTasks,
    /// `{0}`: node.
    NodeAria,
    NodeLabels,
    /// `{0}`: node.
    TasksOn,
    /// `{0}`: task, `{1}`: command.
    Crash,
    Healthy,
    Unhealthy,
    HealthStarting,
    // Faults: the partition panel and the legend's healthcheck button.
    PartitionTitle,
    PartitionHelp,
    GroupA,
    GroupB,
    ColMachine,
    PartitionButton,
    HealButton,
    /// `{0}`: "2 machines" (group A), `{1}`: "1 machine" (group B).
    PartitionPicked,
    /// `{0}`: the command.
    FailHealth,
    // Quorum view.
    /// `{0}`: swarm ID.
    QuorumOf,
    ColManager,
    ColRaftState,
    ColTerm,
    ColCommit,
    ColKnowsLeader,
    ColVotedFor,
    LastWrites,
    NothingWritten,
    NoneLeader,
    Nobody,
    NoManagers,
    ElectingLeader,
    /// `{0}`: "2 seconds".
    RaftMessages,
    /// `{0}`: "2 seconds".
    NoRaftMessages,
    /// `{0}`: sender, `{1}`: receiver, `{2}`: what (`MsgAppend`…), `{3}`: term.
    RaftMessageLine,
    LostPowerOff,
    LostPartition,
    MsgHeartbeat,
    MsgHeartbeatReply,
    MsgAppend,
    /// `{0}`: "2 entries".
    MsgAppendEntries,
    MsgAppendReply,
    MsgAppendRefused,
    MsgVote,
    MsgVoteGranted,
    MsgVoteRefused,
    MsgPreVote,
    MsgPreVoteGranted,
    MsgPreVoteRefused,
    MsgSnapshot,
    MsgOther,
    // Traffic view.
    NoRequestsA,
    NoRequestsB,
    NoRequestsC,
    RequestsNewest,
    /// `{0}`: task, `{1}`: machine.
    TaskOn,
    /// `{0}`: machine.
    ContainerOn,
    NoAnswer,
    WhereEntered,
    // Browser view.
    PublishedPorts,
    NoPortsA,
    NoPortsB,
    /// `{0}`: URL, `{1}`: kind, `{2}`: owner.
    OpenPort,
    NewTab,
    BrowserTab,
    BrowserTabs,
    /// `{0}`: the tab's title.
    CloseTab,
    Back,
    Forward,
    Reload,
    Address,
    Go,
    BrowserHint,
    // Terminal.
    SessionEnded,
    Running,
    TerminalReady,
    /// `{0}`: machine.
    TerminalOf,
    TerminalKeys,
    ShellExited,
    /// `{0}`: machine.
    CommandFor,
    // Editor.
    /// `{0}`: path.
    Editing,
    Save,
    Cancel,
    // Persistence.
    Share,
    ShareTitle,
    Export,
    ExportTitle,
    Import,
    ImportTitle,
    Reset,
    ResetTitle,
    Copy,
    SaveAndShare,
    NotSaved,
    ShareLink,
    LinkCopied,
    SelectAndCopy,
    /// `{0}`: "123 characters".
    ShareReady,
    DownloadRefused,
    /// `{0}`: why.
    ImportFailed,
    /// `{0}`: why.
    ImportRefused,
    /// `{0}`: why.
    SaveFailed,
    TooLargeToSave,
    /// `{0}`: why.
    SharedLinkFailed,
    /// `{0}`: why.
    RestoreFailed,
    // Panic notice.
    Stopped,
    StoppedSaved,
    StoppedUnsaved,
    RestoreLastGood,
}
}

/// The text of `key` in `lang`.
pub fn t(lang: Lang, key: K) -> &'static str {
    let (en, ru) = texts(key);
    match lang {
        Lang::En => en,
        Lang::Ru => ru,
    }
}

fn texts(key: K) -> (&'static str, &'static str) {
    match key {
        K::CouldNotStart => (
            "Swarm Playground could not start",
            "Swarm Playground не удалось запустить",
        ),
        K::Tagline => (
            "Docker Swarm, simulated in your browser.",
            "Docker Swarm, смоделированный в вашем браузере.",
        ),
        K::Instances => ("Instances ({0})", "Машины ({0})"),
        K::AddInstance => ("+ Add new instance", "+ Добавить машину"),
        K::StartFromTemplate => ("Start from a template", "Начать с шаблона"),
        K::Tpl3m2w => ("3 managers + 2 workers", "3 менеджера + 2 воркера"),
        K::Tpl5m => ("5 managers", "5 менеджеров"),
        K::Tpl1m1w => ("1 manager + 1 worker", "1 менеджер + 1 воркер"),
        K::Tpl1m2w => ("1 manager + 2 workers", "1 менеджер + 2 воркера"),
        K::Tpl1Empty => ("1 empty machine", "1 пустая машина"),
        K::Machines => ("Machines", "Машины"),
        K::Show => ("show", "показать"),
        K::NoMachines => (
            "No machines. Add one with “+ Add new instance”.",
            "Машин нет. Добавьте машину кнопкой «+ Добавить машину».",
        ),
        K::MachineGone => ("the machine is gone", "машины больше нет"),
        K::Language => ("Language", "Язык"),
        K::PowerOn => ("Power on", "Включить"),
        K::PowerOff => ("Power off", "Выключить"),
        K::PowerOnShort => ("on", "вкл"),
        K::PowerOffShort => ("off", "выкл"),
        K::Ready => ("Ready", "Готов"),
        K::Down => ("Down", "Недоступен"),
        K::Unknown => ("Unknown", "Неизвестно"),
        K::Manager => ("manager", "менеджер"),
        K::Worker => ("worker", "воркер"),
        K::RaftLeader => ("Raft leader", "Лидер Raft"),
        K::Leader => (" leader", " лидер"),
        K::PoweredOff => ("powered off", "узел выключен"),
        K::Booting => ("booting", "загружается"),
        K::Locked => ("locked", "заблокирован"),
        K::Remove => ("Remove {0}", "Удалить {0}"),
        K::RemoveTitle => (
            "Remove {0} (powers it off)",
            "Удалить {0} (машина выключится)",
        ),
        K::SimulatedTime => ("Simulated time", "Время симуляции"),
        K::SimTime => ("sim time", "время"),
        K::SimTimeTitle => (
            "Simulated time since the playground started",
            "Время симуляции с момента запуска",
        ),
        K::Paused => ("paused", "пауза"),
        K::Play => ("▶ Play", "▶ Пуск"),
        K::Pause => ("‖ Pause", "‖ Пауза"),
        K::StepTitle => (
            "Advance simulated time by one second",
            "Шаг 1 с: продвинуть время симуляции на секунду",
        ),
        K::Seed => ("seed {0}", "seed {0}"),
        K::Speed => ("Speed", "Скорость"),
        K::RecentMachines => ("Recent machines", "Недавние машины"),
        K::HideViews => ("Hide views ▸", "Скрыть панель ▸"),
        K::ShowViews => ("◂ Show views", "◂ Показать панель"),
        K::Views => ("Views", "Панель"),
        K::Cluster => ("Cluster", "Кластер"),
        K::Quorum => ("Quorum", "Кворум"),
        K::Traffic => ("Traffic", "Трафик"),
        K::Browser => ("Browser", "Браузер"),
        K::NoSwarmRun => ("No swarm yet. Run ", "Кластера пока нет. Выполните "),
        K::NoSwarmRest => (
            " in a terminal, or start from a template.",
            " в терминале или начните с шаблона.",
        ),
        K::ServiceFilter => ("Service ", "Сервис "),
        K::All => ("all", "все"),
        K::OnlyRunning => (" only running", " только запущенные"),
        K::SwarmTitle => ("Swarm {0}", "Кластер {0}"),
        K::SwarmAria => ("swarm {0}", "кластер {0}"),
        K::NoLeader => (
            "No leader: the managers have lost quorum, so the cluster cannot change.",
            "Лидера нет: менеджеры потеряли кворум, кластер нельзя изменить.",
        ),
        K::Services => ("Services", "Сервисы"),
        K::PendingTasks => ("Pending tasks", "Задачи в ожидании"),
        K::PendingCount => ("Pending ({0})", "В ожидании ({0})"),
        K::WaitingScheduler => ("waiting for the scheduler", "ждёт планировщика"),
        K::MoreTasks => ("+{0} more", "ещё {0}"),
        K::NodeAria => ("node {0}", "узел {0}"),
        K::NodeLabels => ("Node labels", "Метки узла"),
        K::TasksOn => ("tasks on {0}", "задачи на {0}"),
        K::Crash => ("Crash {0} ({1})", "Уронить {0} ({1})"),
        K::Healthy => ("♥ healthy", "♥ здоров"),
        K::Unhealthy => ("✗ unhealthy", "✗ нездоров"),
        K::HealthStarting => ("… health starting", "… проверка здоровья"),
        K::PartitionTitle => ("Network partition", "Разделение сети"),
        K::PartitionHelp => (
            "Tick machines into group A and group B: machines in different groups cannot reach \
             each other.",
            "Отметьте машины в группах A и B: машины из разных групп не видят друг друга.",
        ),
        K::GroupA => ("Group A", "Группа A"),
        K::GroupB => ("Group B", "Группа B"),
        K::ColMachine => ("Machine", "Машина"),
        K::PartitionButton => ("Partition", "Разделить"),
        K::HealButton => ("Heal", "Восстановить"),
        K::PartitionPicked => (
            "Group A: {0}; group B: {1}.",
            "Группа A: {0}; группа B: {1}.",
        ),
        K::FailHealth => ("Fail healthcheck ({0})", "Сломать healthcheck ({0})"),
        K::QuorumOf => ("quorum of swarm {0}", "кворум кластера {0}"),
        K::ColManager => ("Manager", "Менеджер"),
        K::ColRaftState => ("Raft state", "Состояние Raft"),
        K::ColTerm => ("Term", "Срок (term)"),
        K::ColCommit => ("Commit", "Коммит"),
        K::ColKnowsLeader => ("Knows leader", "Знает лидера"),
        K::ColVotedFor => ("Voted for", "Голосовал за"),
        K::LastWrites => ("Last committed writes", "Последние записи"),
        K::NothingWritten => ("Nothing written yet.", "Записей пока нет."),
        K::NoneLeader => ("none", "нет"),
        K::Nobody => ("nobody", "ни за кого"),
        K::NoManagers => ("no managers", "нет менеджеров"),
        K::RaftMessages => ("Raft messages, last {0}", "Сообщения Raft за последние {0}"),
        K::NoRaftMessages => (
            "No Raft messages in the last {0}.",
            "За последние {0} сообщений Raft не было.",
        ),
        K::RaftMessageLine => ("{0} → {1}: {2} (term {3})", "{0} → {1}: {2} (срок {3})"),
        K::LostPowerOff => ("lost: machine powered off", "потеряно: машина выключена"),
        K::LostPartition => ("lost: network partition", "потеряно: сеть разделена"),
        K::MsgHeartbeat => ("heartbeat", "heartbeat (пульс)"),
        K::MsgHeartbeatReply => ("heartbeat reply", "ответ на heartbeat"),
        K::MsgAppend => ("append entries", "добавление записей"),
        K::MsgAppendEntries => ("append {0}", "добавить {0}"),
        K::MsgAppendReply => ("append accepted", "записи приняты"),
        K::MsgAppendRefused => ("append refused", "записи отклонены"),
        K::MsgVote => ("vote request", "запрос голоса"),
        K::MsgVoteGranted => ("vote granted", "голос отдан"),
        K::MsgVoteRefused => ("vote refused", "в голосе отказано"),
        K::MsgPreVote => ("pre-vote request", "запрос предголосования"),
        K::MsgPreVoteGranted => ("pre-vote granted", "предголос отдан"),
        K::MsgPreVoteRefused => ("pre-vote refused", "в предголосе отказано"),
        K::MsgSnapshot => ("snapshot", "снимок состояния"),
        K::MsgOther => ("other message", "другое сообщение"),
        K::ElectingLeader => (", electing a leader", ", идут выборы лидера"),
        K::NoRequestsA => (
            "No requests yet. Publish a port (",
            "Запросов пока нет. Опубликуйте порт (",
        ),
        K::NoRequestsB => (") and ", ") и обратитесь к нему через "),
        K::NoRequestsC => (
            " it, or open it in the Browser view.",
            " или откройте его на вкладке «Браузер».",
        ),
        K::RequestsNewest => ("Requests, newest first", "Запросы, новые сверху"),
        K::TaskOn => ("{0} on {1}", "{0} на {1}"),
        K::ContainerOn => ("a container on {0}", "контейнер на {0}"),
        K::NoAnswer => ("no answer", "нет ответа"),
        K::WhereEntered => ("where it entered", "куда пришёл запрос"),
        K::PublishedPorts => ("Published ports", "Опубликованные порты"),
        K::NoPortsA => (
            "No published ports yet. Publish one (",
            "Опубликованных портов пока нет. Опубликуйте порт (",
        ),
        K::NoPortsB => (") and it shows here.", "), и он появится здесь."),
        K::OpenPort => ("Open {0} ({1} port of {2})", "Открыть {0} ({1} порт: {2})"),
        K::NewTab => ("New tab", "Новая вкладка"),
        K::BrowserTab => ("Browser tab", "Вкладка браузера"),
        K::BrowserTabs => ("Browser tabs", "Вкладки браузера"),
        K::CloseTab => ("Close tab {0}", "Закрыть вкладку {0}"),
        K::Back => ("Back", "Назад"),
        K::Forward => ("Forward", "Вперёд"),
        K::Reload => ("Reload", "Обновить"),
        K::Address => ("Address", "Адрес"),
        K::Go => ("Go", "Перейти"),
        K::BrowserHint => (
            "Click a port badge above, or type an address: the request goes through the \
             routing mesh like curl's.",
            "Нажмите на порт выше или введите адрес: запрос пройдёт через routing mesh, \
             как у curl.",
        ),
        K::SessionEnded => ("session ended", "сеанс завершён"),
        K::Running => ("running", "выполняется"),
        K::TerminalReady => ("ready", "готов"),
        K::TerminalOf => ("Terminal of {0}", "Терминал {0}"),
        K::TerminalKeys => (
            "↑↓ history · Tab complete · Ctrl+C interrupt · Ctrl+L clear · Esc Tab leave",
            "↑↓ история · Tab дополнить · Ctrl+C прервать · Ctrl+L очистить · Esc Tab выйти",
        ),
        K::ShellExited => (
            "The shell has exited. Type a command or press Enter to open a new one.",
            "Оболочка завершилась. Введите команду или нажмите Enter, чтобы открыть новую.",
        ),
        K::CommandFor => (
            "Command for {0} (Tab completes; Esc, then Tab, leaves the terminal)",
            "Команда для {0} (Tab дополняет; Esc, затем Tab — выход из терминала)",
        ),
        K::Editing => ("Editing {0}", "Редактирование {0}"),
        K::Save => ("^S Save", "^S Сохранить"),
        K::Cancel => ("^X Cancel", "^X Отмена"),
        K::Share => ("Share", "Поделиться"),
        K::ShareTitle => (
            "A link that rebuilds this playground (nothing is uploaded)",
            "Ссылка, которая воссоздаёт эту песочницу (ничего не загружается на сервер)",
        ),
        K::Export => ("Export", "Экспорт"),
        K::ExportTitle => (
            "Download this playground as a JSON file",
            "Скачать эту песочницу как JSON-файл",
        ),
        K::Import => ("Import", "Импорт"),
        K::ImportTitle => (
            "Open a playground exported as JSON",
            "Открыть песочницу, экспортированную в JSON",
        ),
        K::Reset => ("Reset", "Сброс"),
        K::ResetTitle => (
            "Forget this playground and start the template afresh",
            "Забыть эту песочницу и начать шаблон заново",
        ),
        K::Copy => ("Copy", "Копировать"),
        K::SaveAndShare => ("Save and share", "Сохранение и обмен"),
        K::NotSaved => (
            "Not saved in this browser.",
            "Не сохраняется в этом браузере.",
        ),
        K::ShareLink => ("Share link", "Ссылка"),
        K::LinkCopied => ("Link copied.", "Ссылка скопирована."),
        K::SelectAndCopy => (
            "Select the link and copy it.",
            "Выделите ссылку и скопируйте её.",
        ),
        K::ShareReady => ("Share link ready ({0}).", "Ссылка готова ({0})."),
        K::DownloadRefused => (
            "The browser refused the download.",
            "Браузер не разрешил скачивание.",
        ),
        K::ImportFailed => ("Import failed: {0}.", "Импорт не удался: {0}."),
        K::ImportRefused => ("Import refused: {0}.", "Импорт отклонён: {0}."),
        K::SaveFailed => (
            "The playground could not be saved: {0}.",
            "Песочницу не удалось сохранить: {0}.",
        ),
        K::TooLargeToSave => (
            "This session grew too large to save: what you do from now on is not saved.",
            "Сеанс стал слишком большим для сохранения: дальнейшие действия не сохраняются.",
        ),
        K::SharedLinkFailed => (
            "The shared link could not be opened: {0}",
            "Не удалось открыть ссылку: {0}",
        ),
        K::RestoreFailed => (
            "The saved playground could not be restored: {0}",
            "Не удалось восстановить сохранённую песочницу: {0}",
        ),
        K::Stopped => ("The playground stopped", "Песочница остановилась"),
        K::StoppedSaved => (
            "An internal error stopped the simulation. Everything up to the action that failed \
             is saved: restore it. The details below help to report the problem.",
            "Внутренняя ошибка остановила симуляцию. Всё до сбойного действия сохранено: \
             восстановите его. Подробности ниже помогут сообщить о проблеме.",
        ),
        K::StoppedUnsaved => (
            "An internal error stopped the simulation. Reload the page to start a new playground. \
             The details below help to report the problem.",
            "Внутренняя ошибка остановила симуляцию. Перезагрузите страницу, чтобы начать \
             новую песочницу. Подробности ниже помогут сообщить о проблеме.",
        ),
        K::RestoreLastGood => (
            "Restore last good state",
            "Восстановить последнее рабочее состояние",
        ),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals_follow_cldr() {
        let got: Vec<String> = [0, 1, 2, 5, 11, 12, 14, 21, 22, 25, 101, 111, 112, 122]
            .iter()
            .map(|&n| count(Lang::Ru, n, Noun::Task))
            .collect();
        assert_eq!(
            got,
            [
                "0 задач",
                "1 задача",
                "2 задачи",
                "5 задач",
                "11 задач",
                "12 задач",
                "14 задач",
                "21 задача",
                "22 задачи",
                "25 задач",
                "101 задача",
                "111 задач",
                "112 задач",
                "122 задачи"
            ]
        );
        assert_eq!(count(Lang::En, 1, Noun::Task), "1 task");
        assert_eq!(count(Lang::En, 0, Noun::Task), "0 tasks");
    }

    #[test]
    fn placeholders_are_filled_once_as_text() {
        assert_eq!(
            fill("Remove {0} ({1})", &[&"node1", &"{0}"]),
            "Remove node1 ({0})"
        );
        assert_eq!(fill("{x} {9} {", &[&1]), "{x} {9} {");
    }

    #[test]
    fn languages_pick_the_first_known() {
        assert_eq!(from_languages(&["ru-RU", "en"]), Lang::Ru);
        assert_eq!(from_languages(&["de", "RU"]), Lang::Ru);
        assert_eq!(from_languages(&["en-US", "ru"]), Lang::En);
        assert_eq!(from_languages::<&str>(&[]), Lang::En);
    }
}
