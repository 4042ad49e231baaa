//! Shell completions and the manual page, both generated from the clap definitions, so they
//! never disagree with `--help`.

use std::process::ExitCode;

use clap::CommandFactory;

use super::Cli;

/// `selfserve completions SHELL`: the script on stdout.
pub(super) fn completions(shell: clap_complete::Shell) -> anyhow::Result<ExitCode> {
    let mut command = Cli::command();
    clap_complete::generate(
        shell,
        &mut command,
        "selfserve",
        &mut std::io::stdout().lock(),
    );
    Ok(ExitCode::SUCCESS)
}

/// The manual page (roff): the top-level page, then each subcommand's as a section, so one
/// `man selfserve` shows every command and option.
pub fn man_page_text() -> std::io::Result<Vec<u8>> {
    let command = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        out.extend_from_slice(format!(".SH \"SELFSERVE {}\"\n", name.to_uppercase()).as_bytes());
        let page = clap_mangen::Man::new(
            sub.clone()
                .bin_name(format!("selfserve {name}"))
                .display_name(format!("selfserve {name}")),
        );
        page.render_description_section(&mut out)?;
        page.render_synopsis_section(&mut out)?;
        page.render_options_section(&mut out)?;
        if sub.has_subcommands() {
            page.render_subcommands_section(&mut out)?;
        }
    }
    Ok(out)
}

/// `selfserve man`: the page on stdout.
pub(super) fn man_page() -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let text = man_page_text()?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&text)?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_man_page_names_every_command() {
        let text = String::from_utf8(man_page_text().expect("renders")).expect("utf-8");
        assert!(
            text.starts_with(".ie") || text.contains(".TH selfserve"),
            "{}",
            &text[..200]
        );
        for command in ["serve", "check", "init", "backup", "completions"] {
            assert!(
                text.contains(&format!("SELFSERVE {}", command.to_uppercase())),
                "{command}"
            );
        }
        assert!(text.contains("\\-\\-content"), "options are listed");
    }

    #[test]
    fn completions_cover_the_subcommands() {
        let mut out = Vec::new();
        clap_complete::generate(
            clap_complete::Shell::Bash,
            &mut Cli::command(),
            "selfserve",
            &mut out,
        );
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.contains("completions") && text.contains("export"),
            "subcommands"
        );
    }
}
