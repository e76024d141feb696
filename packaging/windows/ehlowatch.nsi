; EHLO Watch's Windows installer, built by Debian's makensis (package nsis) with only what it
; ships: MUI2, nsDialogs, FileFunc, LogicLib, StrFunc. scripts/package-windows drives it:
;
;   makensis -DVERSION=0.1.0 -DVERSION_QUAD=0.1.0.0 -DSTAGE=DIR -DOUTFILE=FILE.exe \
;     [-DSIGN_CMD='CMD'] packaging/windows/ehlowatch.nsi
;
; STAGE holds the files installed (the same as the portable zip's). SIGN_CMD, when given, signs
; the uninstaller that the installer carries (CMD FILE signs FILE in place).
;
; A per-user install: no administrator rights, no UAC prompt, everything under the user's own
; folders and HKCU. Silent deployment:
;
;   EHLO-Watch-<version>-windows-x64-setup.exe /S [/AUTOSTART=1] [/D=C:\path\to\dir]
;
; (/D= must come last and is never quoted, as NSIS requires.) The uninstaller removes what the
; installer put there and keeps the user's settings and history.

Unicode true
Target amd64-unicode
ManifestDPIAware true
SetCompressor /SOLID lzma

!ifndef VERSION
  !error "pass the version: makensis -DVERSION=x.y.z (from Cargo.toml)"
!endif
!ifndef VERSION_QUAD
  !error "pass the four-part file version: makensis -DVERSION_QUAD=x.y.z.0"
!endif
!ifndef STAGE
  !error "pass the directory of the files to install: makensis -DSTAGE=DIR"
!endif
!ifndef OUTFILE
  !define OUTFILE "EHLO-Watch-${VERSION}-windows-x64-setup.exe"
!endif

; --- names shared with the app: keep them equal to what ehlowatch-app writes itself -----------
!define APP_NAME "EHLO Watch"
!define PUBLISHER "EHLO Watch contributors"
!define APP_EXE "ehlowatch-app.exe"
!define CLI_EXE "ehlowatch.exe"
; The toast AppUserModelID and its registration (src-tauri/app/src/notify/registration.rs): the
; same key and DisplayName the app writes at start when the key is missing. The app points
; IconUri at its own copy of the icon in %LOCALAPPDATA% (a portable copy has no install folder);
; the installer points it at the installed icon, and the app leaves a registered key alone.
!define AUMID "org.ehlowatch.desktop"
!define AUMID_KEY "Software\Classes\AppUserModelId\${AUMID}"
; The image the toast shows beside the app's name: installed with the program.
!define AUMID_ICON "ehlowatch.png"
!define AUMID_ICON_URI "$INSTDIR\${AUMID_ICON}"
; Autostart: the value the app's own toggle (`ehlowatch-app --autostart on`) writes.
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define RUN_VALUE "EHLO Watch"
!define RUN_DATA '"$INSTDIR\${APP_EXE}" --minimized'
; Where the app keeps settings.json and history.sqlite (Tauri's config and data directories on
; Windows, both the roaming AppData): never touched by the uninstaller.
!define USER_DATA "$APPDATA\${AUMID}"

!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${AUMID}"
!define UNINST_EXE "Uninstall EHLO Watch.exe"
!define SHORTCUT "$SMPROGRAMS\${APP_NAME}.lnk"

; The files of STAGE, installed and removed one by one (never a recursive delete: a history the
; agent was told to keep beside the program, or anything else the user put there, stays).
!macro PROGRAM_FILES DO
  !insertmacro ${DO} "${APP_EXE}"
  !insertmacro ${DO} "WebView2Loader.dll"
  !insertmacro ${DO} "${CLI_EXE}"
  !insertmacro ${DO} "${AUMID_ICON}"
  !insertmacro ${DO} "LICENSE-MIT.txt"
  !insertmacro ${DO} "LICENSE-APACHE.txt"
  !insertmacro ${DO} "README.txt"
!macroend
!macro INSTALL_FILE NAME
  File "${STAGE}\${NAME}"
!macroend
!macro REMOVE_FILE NAME
  Delete "$INSTDIR\${NAME}"
!macroend

!include MUI2.nsh
!include nsDialogs.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include StrFunc.nsh
${StrStr}
${UnStrStr}

Name "${APP_NAME}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
; An earlier install's folder wins over the default (an upgrade lands where the first went).
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
BrandingText "${APP_NAME} ${VERSION}"

VIProductVersion "${VERSION_QUAD}"
VIFileVersion "${VERSION_QUAD}"
VIAddVersionKey "ProductName" "${APP_NAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "FileDescription" "${APP_NAME} ${VERSION} setup"
VIAddVersionKey "LegalCopyright" "${PUBLISHER}; MIT OR Apache-2.0"

!ifdef SIGN_CMD
  !uninstfinalize '${SIGN_CMD} "%1"'
!endif

Var Autostart ; "1": write the Run value; "0": remove ours; "": leave it as it is
Var AutostartBox

!define MUI_ICON "${__FILEDIR__}\..\..\icons\icon.ico"
!define MUI_UNICON "${__FILEDIR__}\..\..\icons\icon.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${APP_EXE}"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APP_NAME} now"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
Page custom AutostartPage AutostartPageLeave
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  SetShellVarContext current
  ; /AUTOSTART=1 or 0 on the command line; without it the page's box starts ticked, and a
  ; silent install leaves autostart as it was (off on a first install).
  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/AUTOSTART=" $1
  ${If} ${Errors}
    ${If} ${Silent}
      StrCpy $Autostart ""
    ${Else}
      StrCpy $Autostart "1"
    ${EndIf}
  ${ElseIf} $1 == "1"
    StrCpy $Autostart "1"
  ${ElseIf} $1 == "0"
    StrCpy $Autostart "0"
  ${Else}
    MessageBox MB_ICONSTOP "/AUTOSTART must be 1 or 0, not '$1'." /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
FunctionEnd

Function AutostartPage
  !insertmacro MUI_HEADER_TEXT "Start with Windows" \
    "${APP_NAME} watches your mail servers from the notification area."
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateCheckbox} 0 0 100% 12u "Start ${APP_NAME} in the notification area when I sign in"
  Pop $AutostartBox
  ${If} $Autostart == "1"
    ${NSD_Check} $AutostartBox
  ${EndIf}
  ${NSD_CreateLabel} 0 20u 100% 24u \
    "You can change this later in the app's settings or with: ehlowatch-app --autostart on|off"
  Pop $0
  nsDialogs::Show
FunctionEnd

Function AutostartPageLeave
  ${NSD_GetState} $AutostartBox $0
  ${If} $0 == ${BST_CHECKED}
    StrCpy $Autostart "1"
  ${Else}
    StrCpy $Autostart "0"
  ${EndIf}
FunctionEnd

; A running program holds its files: overwriting them would half-update it. Asks the user to
; quit it (tray -> Quit); a silent run fails with exit code 3 instead.
!macro REQUIRE_NOT_RUNNING UN
  Function ${UN}RequireNotRunning
    retry:
    StrCpy $1 ""
    !insertmacro CHECK_NOT_LOCKED "${APP_EXE}"
    !insertmacro CHECK_NOT_LOCKED "${CLI_EXE}"
    ${If} $1 == ""
      Return
    ${EndIf}
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION \
      "$1 is running from $INSTDIR. Quit ${APP_NAME} (its tray icon, Quit) and stop an agent \
      started from there, then choose Retry." /SD IDCANCEL IDRETRY retry
    DetailPrint "$1 is running from $INSTDIR: nothing changed"
    SetErrorLevel 3
    Quit
  FunctionEnd
!macroend
; Sets $1 to NAME when $INSTDIR\NAME exists and cannot be opened for writing.
!macro CHECK_NOT_LOCKED NAME
  ${If} ${FileExists} "$INSTDIR\${NAME}"
    ClearErrors
    FileOpen $0 "$INSTDIR\${NAME}" a
    ${If} ${Errors}
      StrCpy $1 "${NAME}"
    ${Else}
      FileClose $0
    ${EndIf}
  ${EndIf}
!macroend
; The Run value goes when it starts this copy; one a portable copy elsewhere wrote stays.
!macro REMOVE_OUR_RUN_VALUE UN
  Function ${UN}RemoveOurRunValue
    ReadRegStr $0 HKCU "${RUN_KEY}" "${RUN_VALUE}"
    !if "${UN}" == ""
      ${StrStr} $1 $0 "$INSTDIR\${APP_EXE}"
    !else
      ${UnStrStr} $1 $0 "$INSTDIR\${APP_EXE}"
    !endif
    ${If} $1 != ""
      DeleteRegValue HKCU "${RUN_KEY}" "${RUN_VALUE}"
    ${EndIf}
  FunctionEnd
!macroend
!insertmacro REMOVE_OUR_RUN_VALUE ""
!insertmacro REMOVE_OUR_RUN_VALUE "un."
!insertmacro REQUIRE_NOT_RUNNING ""
!insertmacro REQUIRE_NOT_RUNNING "un."

Section "${APP_NAME}" SecMain
  SectionIn RO
  Call RequireNotRunning
  SetOutPath "$INSTDIR"
  !insertmacro PROGRAM_FILES INSTALL_FILE
  WriteUninstaller "$INSTDIR\${UNINST_EXE}"

  CreateShortCut "${SHORTCUT}" "$INSTDIR\${APP_EXE}" "" "$INSTDIR\${APP_EXE}" 0 \
    SW_SHOWNORMAL "" "Watches SMTP servers answer EHLO in time, from the tray"

  WriteRegStr HKCU "${AUMID_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${AUMID_KEY}" "IconUri" "${AUMID_ICON_URI}"

  ${If} $Autostart == "1"
    WriteRegStr HKCU "${RUN_KEY}" "${RUN_VALUE}" '${RUN_DATA}'
    DetailPrint "Starts at sign-in: HKCU\${RUN_KEY}\${RUN_VALUE}"
  ${ElseIf} $Autostart == "0"
    Call RemoveOurRunValue
  ${EndIf}

  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${APP_EXE},0"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\${UNINST_EXE}"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINST_EXE}" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Function un.onInit
  SetShellVarContext current
FunctionEnd

Section "Uninstall"
  Call un.RequireNotRunning
  !insertmacro PROGRAM_FILES REMOVE_FILE
  Delete "$INSTDIR\${UNINST_EXE}"
  RMDir "$INSTDIR"
  Delete "${SHORTCUT}"

  Call un.RemoveOurRunValue
  DeleteRegKey HKCU "${AUMID_KEY}"
  DeleteRegKey HKCU "${UNINST_KEY}"
  DetailPrint "Your settings and history stay in ${USER_DATA}."
SectionEnd
