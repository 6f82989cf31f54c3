//! The page in English and Russian, in headless Chromium: the stored choice wins, the switch
//! changes every text of the page (and `<html lang>`), plurals follow Russian's rule, and
//! docker's output stays English.
//!
//! Run with `cargo test --target wasm32-unknown-unknown -p swarm-web --test i18n`.

#![cfg(target_arch = "wasm32")]

use swarm_web::i18n::{self, count, plural_ru, t, Lang, Noun, PluralRu, K, STORAGE_KEY};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// Stores `lang` as the reader's choice, as the switch does.
fn choose(lang: &str) {
    storage().set_item(STORAGE_KEY, lang).unwrap();
}

fn attr(root: &Element, selector: &str, name: &str) -> String {
    find(root, selector).get_attribute(name).unwrap_or_default()
}

fn html_lang() -> String {
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .document_element()
        .unwrap()
        .get_attribute("lang")
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn the_russian_choice_translates_the_page_and_the_switch_goes_back() {
    choose("ru");
    let root = mount_template("1m2w").await;
    assert_eq!(html_lang(), "ru");
    assert_eq!(
        text_of(&root, "[data-testid=add-machine]").trim(),
        "+ Добавить машину"
    );
    assert!(text_of(&root, ".instances h2").starts_with("Машины (3)"));
    assert_eq!(text_of(&root, "[data-testid=time-pause]").trim(), "‖ Пауза");
    assert!(attr(&root, "[data-testid=time-step]", "title").starts_with("Шаг 1 с"));
    assert_eq!(text_of(&root, "[data-testid=share]"), "Поделиться");
    assert_eq!(text_of(&root, "[data-testid=export]"), "Экспорт");
    assert_eq!(text_of(&root, "[data-testid=reset]"), "Сброс");
    assert_eq!(text_of(&root, "[data-testid=view-tab-cluster]"), "Кластер");
    assert_eq!(text_of(&root, "[data-testid=view-tab-quorum]"), "Кворум");
    // The sidebar: role, status, tasks.
    let node1 = text_of(&root, "[data-testid=machine-node1]");
    assert!(node1.contains("менеджер"), "{node1}");
    assert!(node1.contains("Готов"), "{node1}");
    assert!(node1.contains("0 задач"), "{node1}");
    let node2 = text_of(&root, "[data-testid=machine-node2]");
    assert!(node2.contains("воркер"), "{node2}");
    // The cluster view.
    assert_eq!(
        text_of(&root, "[data-testid=node-node1] [data-testid=node-status]"),
        "Готов"
    );
    assert_eq!(
        attr(&root, "[data-testid=node-node1] .crown", "title"),
        "Лидер Raft"
    );
    // The quorum view.
    click(&root, "[data-testid=view-tab-quorum]").await;
    let summary = text_of(&root, "[data-testid=quorum-summary]");
    assert_eq!(summary, "Доступно менеджеров: 1 из 1 — кворум есть");
    assert!(text_of(&root, ".quorum-table thead").contains("Менеджер"));
    // The switch.
    assert_eq!(attr(&root, "[data-testid=lang-ru]", "aria-pressed"), "true");
    click(&root, "[data-testid=lang-en]").await;
    assert_eq!(html_lang(), "en");
    assert_eq!(
        storage().get_item(STORAGE_KEY).unwrap().as_deref(),
        Some("en")
    );
    assert_eq!(attr(&root, "[data-testid=lang-en]", "aria-pressed"), "true");
    assert_eq!(
        text_of(&root, "[data-testid=add-machine]").trim(),
        "+ Add new instance"
    );
    assert_eq!(text_of(&root, "[data-testid=view-tab-quorum]"), "Quorum");
    assert_eq!(
        text_of(&root, "[data-testid=quorum-summary]"),
        "1 of 1 managers reachable: quorum holds"
    );
    let node1 = text_of(&root, "[data-testid=machine-node1]");
    assert!(
        node1.contains("manager") && node1.contains("0 tasks"),
        "{node1}"
    );
    // And back to Russian, without a reload.
    click(&root, "[data-testid=lang-ru]").await;
    assert_eq!(html_lang(), "ru");
    assert_eq!(text_of(&root, "[data-testid=view-tab-quorum]"), "Кворум");
    assert_eq!(text_of(&root, "[data-testid=time-pause]").trim(), "‖ Пауза");
    i18n::forget();
}

#[wasm_bindgen_test]
async fn docker_output_stays_english() {
    choose("ru");
    let root = mount_template("1m2w").await;
    submit(&root, "docker node ls").await;
    let mut out = String::new();
    for _ in 0..100 {
        out = text_of(&root, "[data-testid=terminal-output]");
        if out.contains("HOSTNAME") {
            break;
        }
        click(&root, "[data-testid=time-step]").await;
    }
    assert!(out.contains("HOSTNAME"), "{out}");
    assert!(out.contains("STATUS"), "{out}");
    assert!(out.contains("Ready"), "{out}");
    assert!(out.contains("Leader"), "{out}");
    assert!(!out.contains("Готов"), "{out}");
    // The page around it speaks Russian.
    assert!(find(&root, "[data-testid=terminal-input]")
        .get_attribute("aria-label")
        .unwrap_or_default()
        .starts_with("Команда для node1"),);
    i18n::forget();
}

#[wasm_bindgen_test]
async fn plurals_follow_the_russian_rule() {
    let ru: Vec<String> = [1, 2, 5, 11, 21, 22, 25]
        .iter()
        .map(|&n| count(Lang::Ru, n, Noun::Task))
        .collect();
    assert_eq!(
        ru,
        [
            "1 задача",
            "2 задачи",
            "5 задач",
            "11 задач",
            "21 задача",
            "22 задачи",
            "25 задач"
        ]
    );
    let managers: Vec<String> = [1, 3, 5]
        .iter()
        .map(|&n| count(Lang::Ru, n, Noun::Manager))
        .collect();
    assert_eq!(managers, ["1 менеджер", "3 менеджера", "5 менеджеров"]);
    assert_eq!(plural_ru(12), PluralRu::Many);
    assert_eq!(plural_ru(104), PluralRu::Few);
    let en: Vec<String> = [1, 2, 21]
        .iter()
        .map(|&n| count(Lang::En, n, Noun::Task))
        .collect();
    assert_eq!(en, ["1 task", "2 tasks", "21 tasks"]);

    // On the page: a service of 5 replicas on 3 machines gives 2, 2 and 1 tasks.
    choose("ru");
    let root = mount_template("1m2w").await;
    submit(
        &root,
        "docker service create -d --name web --replicas 5 nginx",
    )
    .await;
    let counts = || -> Vec<String> {
        ["node1", "node2", "node3"]
            .iter()
            .map(|n| text_of(&root, &format!("[data-testid=machine-{n}] .task-count")))
            .collect()
    };
    for _ in 0..200 {
        let c = counts();
        if c.iter().filter(|c| c.as_str() == "2 задачи").count() == 2
            && c.iter().any(|c| c == "1 задача")
        {
            break;
        }
        click(&root, "[data-testid=time-step]").await;
    }
    let mut c = counts();
    c.sort();
    assert_eq!(c, ["1 задача", "2 задачи", "2 задачи"]);
    i18n::forget();
}

#[wasm_bindgen_test]
fn the_browser_languages_decide_without_a_choice() {
    assert_eq!(i18n::from_languages(&["ru-RU", "en-US"]), Lang::Ru);
    assert_eq!(i18n::from_languages(&["en-US", "ru"]), Lang::En);
    assert_eq!(i18n::from_languages(&["de-DE"]), Lang::En);
    i18n::forget();
    // Headless Chromium speaks English: with no stored choice, the page does too.
    let expected = i18n::from_languages(
        &web_sys::window()
            .unwrap()
            .navigator()
            .languages()
            .iter()
            .filter_map(|v| v.as_string())
            .collect::<Vec<_>>(),
    );
    assert_eq!(i18n::detect(), expected);
    choose("ru");
    assert_eq!(i18n::detect(), Lang::Ru, "the stored choice wins");
    i18n::forget();
    i18n::detect();
}

/// The `{N}` placeholders of a text, sorted.
fn placeholders(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .match_indices('{')
        .filter_map(|(i, _)| {
            let rest = &text[i + 1..];
            let close = rest.find('}')?;
            rest[..close]
                .parse::<usize>()
                .ok()
                .map(|n| format!("{{{n}}}"))
        })
        .collect();
    out.sort();
    out
}

#[wasm_bindgen_test]
fn every_key_has_both_languages() {
    // Keys whose Russian text is the English one on purpose.
    const SAME: [K; 1] = [K::Seed];
    assert!(
        K::ALL.len() > 150,
        "K::ALL lists every key: {}",
        K::ALL.len()
    );
    let mut problems = Vec::new();
    for &key in K::ALL {
        let (en, ru) = (t(Lang::En, key), t(Lang::Ru, key));
        if en.trim().is_empty() || ru.trim().is_empty() {
            problems.push(format!("{key:?}: a language is missing ({en:?} / {ru:?})"));
        }
        if en == ru && !SAME.contains(&key) {
            problems.push(format!("{key:?}: not translated ({en:?})"));
        }
        if placeholders(en) != placeholders(ru) {
            problems.push(format!("{key:?}: placeholders differ ({en:?} / {ru:?})"));
        }
        if ru.chars().any(|c| c.is_ascii_alphabetic())
            && !ru
                .chars()
                .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c)))
            && !SAME.contains(&key)
        {
            problems.push(format!("{key:?}: the Russian text has no Russian ({ru:?})"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    // The check itself can fail: a text without its placeholder is caught.
    assert_ne!(placeholders("Remove {0}"), placeholders("Удалить"));
}

#[wasm_bindgen_test]
async fn the_fault_controls_speak_russian() {
    choose("ru");
    let root = mount_template("3m2w").await;
    submit(
        &root,
        "docker service create -d --name api --replicas 1 nginx",
    )
    .await;
    step(&root, 10).await;
    assert!(
        root.query_selector("[data-testid=health-fail-api]")
            .unwrap()
            .is_some(),
        "{}",
        output_text(&root)
    );
    assert_eq!(
        attr(&root, "[data-testid=health-fail-api]", "title"),
        "Сломать healthcheck (sim health fail api)"
    );
    click(&root, "[data-testid=view-tab-quorum]").await;
    let panel = find(&root, "[data-testid=partition-panel]");
    assert_eq!(text_of(&panel, "summary"), "Разделение сети");
    assert!(text_of(&panel, ".partition-help").starts_with("Отметьте машины"));
    assert_eq!(
        texts(&panel, "thead th"),
        ["Машина", "Группа A", "Группа B"]
    );
    assert_eq!(
        text_of(&panel, "[data-testid=partition-button]"),
        "Разделить"
    );
    assert_eq!(text_of(&panel, "[data-testid=heal-button]"), "Восстановить");
    assert_eq!(
        attr(&panel, "[data-testid=partition-a-node2]", "aria-label"),
        "Группа A node2"
    );
    // The count of ticked machines follows the Russian plural rule.
    assert_eq!(
        text_of(&panel, "[data-testid=partition-picked]").trim(),
        "Группа A: 0 машин; группа B: 0 машин."
    );
    click(&root, "[data-testid=partition-a-node1]").await;
    click(&root, "[data-testid=partition-b-node2]").await;
    click(&root, "[data-testid=partition-b-node3]").await;
    assert_eq!(
        text_of(&panel, "[data-testid=partition-picked]").trim(),
        "Группа A: 1 машина; группа B: 2 машины."
    );
    click(&root, "[data-testid=lang-en]").await;
    let panel = find(&root, "[data-testid=partition-panel]");
    assert_eq!(text_of(&panel, "summary"), "Network partition");
    assert_eq!(
        text_of(&panel, "[data-testid=partition-picked]").trim(),
        "Group A: 1 machine; group B: 2 machines."
    );
    click(&root, "[data-testid=view-tab-cluster]").await;
    assert_eq!(
        attr(&root, "[data-testid=health-fail-api]", "title"),
        "Fail healthcheck (sim health fail api)"
    );
    i18n::forget();
}
